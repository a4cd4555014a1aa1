using LiveHub.ICalendar.Recurrence;
using LiveHub.ICalendar.Serialization;

namespace LiveHub.ICalendar.Tests.Serialization;

public sealed class RoundTripTests
{
    private static readonly CalendarSerializer Serializer = new();

    [Fact]
    public void ReferenceFeedSurvivesWriteReadWrite()
    {
        var original = SampleFeeds.LondonMeetups();
        var bytes = Serializer.SerializeToUtf8Bytes(original);
        var result = new CalendarReader(new CalendarReaderOptions { Strict = true }).Read(bytes);

        Assert.Empty(result.Warnings);
        ModelAssert.Equivalent(original, result.Calendars.Single());
        Assert.Equal(bytes, Serializer.SerializeToUtf8Bytes(result.Calendars.Single()));
    }

    [Fact]
    public void RandomTextAndUnknownPropertiesRoundTrip()
    {
        var random = new Random(1234);
        var calendar = new Calendar { Name = "Random", TimeZoneId = "America/New_York" };
        calendar.Properties.Add(new CalendarProperty("X-CUSTOM", "raw\\, value", new CalendarParameter("X-P", "a:b", "c")));
        for (var i = 0; i < 40; i++)
        {
            var e = new CalendarEvent
            {
                Uid = $"uid-{i}@example.com",
                DtStamp = SampleFeeds.Utc(2026, 1, 1).AddMinutes(i),
                Start = i % 3 == 0 ? new CalDateTime(2026, 3, 1 + (i % 20)) : new CalDateTime(2026, 3, 1 + (i % 20), 9, 30, 0, "America/New_York"),
                Duration = i % 3 == 0 ? TimeSpan.FromDays(1) : TimeSpan.FromMinutes(45 + i),
                Summary = ContentLineFoldingTests.RandomText(random, random.Next(1, 60)).Replace("\u200D", "x", StringComparison.Ordinal),
                Description = "Line 1\n" + ContentLineFoldingTests.RandomText(random, random.Next(0, 150)),
                Location = "Room " + i + ", floor; \"A\"",
                Sequence = i,
                Status = (EventStatus)(i % 3),
                Organizer = new Organizer("mailto:o@example.com", "Org \"" + i + "\"; ^x"),
            };
            e.Categories.AddRange(["One, two", "Three\\four"]);
            e.Properties.Add(new CalendarProperty("X-ALT-DESC", "<b>html</b>", new CalendarParameter("FMTTYPE", "text/html")));
            if (i % 5 == 0)
            {
                e.RecurrenceRules.Add(RecurrencePattern.Parse("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,-1FR;WKST=SU;UNTIL=20261231T235959Z"));
                e.ExceptionDates.Add(e.Start!.Value.WithValue(e.Start.Value.Value.AddDays(14)));
            }

            calendar.Events.Add(e);
        }

        calendar.AddMissingTimeZones();
        var read = Calendar.Load(Serializer.SerializeToUtf8Bytes(calendar));

        ModelAssert.Equivalent(calendar, read);
    }
}
