using System.Text.Json;
using LiveHub.ICalendar;

namespace LiveHub.Benchmarks;

/// <summary>One listed event, in the shape both LiveHub and the Node reference implementations are given.</summary>
public sealed record SampleEvent(
    string Uid,
    DateTime StartUtc,
    DateTime EndUtc,
    string Summary,
    string Description,
    string Location,
    double Latitude,
    double Longitude,
    string Url,
    string? OnlineUrl,
    string[] Categories,
    bool Cancelled,
    int Sequence,
    DateTime LastModifiedUtc);

/// <summary>A deterministic set of events shaped like a conference listing (titles with punctuation and non-ASCII text, long descriptions).</summary>
public static class SampleData
{
    public const string Zone = "Europe/London";

    public static List<SampleEvent> Create(int count)
    {
        var first = new DateTime(2030, 1, 6, 9, 0, 0, DateTimeKind.Utc);
        return [.. Enumerable.Range(0, count).Select(i => new SampleEvent(
            Uid: $"0195{i:x4}-7c27-7b30-8f2d-f0cc9d05b77e",
            StartUtc: first.AddHours(i * 17),
            EndUtc: first.AddHours((i * 17) + 2),
            Summary: $"Session {i}: Rust & .NET interop, FFI; and more 🦀",
            Description: $"Talks:\n1. Zero-copy parsing, in C# 🚀\n2. \"Unsafe\" isn't a dirty word; really\\truly.\nDoors open 18:00. Food & drinks provided – see https://hub.example.org/events/e-{i} for details. 日本語テキストも大丈夫です。",
            Location: $"Example HQ, {i % 50} Old Street, London EC1V 9HL",
            Latitude: 51.525712,
            Longitude: -0.087548,
            Url: $"https://hub.example.org/events/e-{i}",
            OnlineUrl: i % 3 == 0 ? $"https://meet.example.com/j/{i}?pwd=abc" : null,
            Categories: ["meetup", i % 2 == 0 ? "rust" : "dotnet"],
            Cancelled: i % 10 == 9,
            Sequence: i % 5,
            LastModifiedUtc: new DateTime(2029, 12, 1, 12, 0, 0, DateTimeKind.Utc).AddMinutes(i)))];
    }

    /// <summary>What LiveHub's feed endpoint does per event: zoned times, VTIMEZONE, the calendar header.</summary>
    public static Calendar ToCalendar(IReadOnlyList<SampleEvent> events)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(Zone);
        var calendar = new Calendar
        {
            ProductId = "-//LiveHub//Event Feeds 1.0//EN",
            Name = "LiveHub events",
            Description = "Benchmark feed",
            TimeZoneId = Zone,
            RefreshInterval = TimeSpan.FromHours(1),
            PublishedTtl = TimeSpan.FromHours(1),
        };
        foreach (var e in events)
        {
            var vevent = new CalendarEvent
            {
                Uid = e.Uid,
                DtStamp = e.LastModifiedUtc,
                LastModified = e.LastModifiedUtc,
                Sequence = e.Sequence,
                Start = CalDateTime.Zoned(TimeZoneInfo.ConvertTimeFromUtc(e.StartUtc, zone), Zone),
                End = CalDateTime.Zoned(TimeZoneInfo.ConvertTimeFromUtc(e.EndUtc, zone), Zone),
                Summary = e.Cancelled ? "Cancelled: " + e.Summary : e.Summary,
                Description = e.Description,
                Location = e.Location,
                Geo = new GeographicLocation(e.Latitude, e.Longitude),
                Url = new Uri(e.Url),
                Status = e.Cancelled ? EventStatus.Cancelled : EventStatus.Confirmed,
            };
            vevent.Categories.AddRange(e.Categories);
            if (e.OnlineUrl is not null)
            {
                vevent.Conferences.Add(new Conference(e.OnlineUrl, ["AUDIO", "VIDEO"], "Join online"));
            }

            calendar.Events.Add(vevent);
        }

        calendar.AddMissingTimeZones();
        return calendar;
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static void WriteJson(string path, IReadOnlyList<SampleEvent> events) =>
        File.WriteAllText(path, JsonSerializer.Serialize(events, Json));
}
