using BenchmarkDotNet.Attributes;
using LiveHub.ICalendar;
using LiveHub.ICalendar.Serialization;

namespace LiveHub.Benchmarks;

/// <summary>Writing and parsing a 1,000-event feed with LiveHub.ICalendar.</summary>
[MemoryDiagnoser]
public class IcalendarBenchmarks
{
    public const int Count = 1_000;
    private readonly CalendarSerializer _serializer = new();
    private List<SampleEvent> _events = [];
    private byte[] _feed = [];

    [GlobalSetup]
    public void Setup()
    {
        _events = SampleData.Create(Count);
        _feed = _serializer.SerializeToUtf8Bytes(SampleData.ToCalendar(_events));
    }

    /// <summary>Model from the data (zoned times, generated VTIMEZONE) and UTF-8 bytes.</summary>
    [Benchmark]
    public int WriteFeed() => _serializer.SerializeToUtf8Bytes(SampleData.ToCalendar(_events)).Length;

    /// <summary>Bytes to model, then every event's UTC start through the file's VTIMEZONE.</summary>
    [Benchmark]
    public long ParseFeed()
    {
        var calendar = new CalendarReader().Read(_feed).Calendars[0];
        var zones = calendar.CreateTimeZoneResolver();
        long sum = 0;
        foreach (var e in calendar.Events)
        {
            sum += e.Start!.Value.ToUtc(zones).Ticks;
        }

        return sum;
    }
}
