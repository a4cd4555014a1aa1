using LiveHub.ICalendar.Recurrence;

namespace LiveHub.ICalendar.Tests;

/// <summary>Models used across tests; <see cref="LondonMeetups"/> is the reference document's section 14 feed.</summary>
internal static class SampleFeeds
{
    public const string London = "Europe/London";

    public static DateTime Utc(int year, int month, int day, int hour = 0, int minute = 0) =>
        new(year, month, day, hour, minute, 0, DateTimeKind.Utc);

    public static Calendar LondonMeetups()
    {
        var stamp = Utc(2026, 6, 1, 9);
        var organizer = new Organizer("mailto:events@example.com", "Example Events, London");
        var calendar = new Calendar
        {
            ProductId = "-//Example Ltd//Event Feeds 1.0//EN",
            Method = "PUBLISH",
            Name = "London Tech Meetups",
            Description = "Public events from Example Ltd, London",
            TimeZoneId = London,
            RefreshInterval = TimeSpan.FromHours(1),
            PublishedTtl = TimeSpan.FromHours(1),
            Source = new Uri("https://events.example.com/feeds/london.ics"),
            Url = new Uri("https://events.example.com/london"),
            Color = "teal",
            LastModified = stamp,
        };
        calendar.AddTimeZone(TimeZoneInfo.FindSystemTimeZoneById(London), 2025, 2026);

        var meetup = new CalendarEvent
        {
            Uid = "event-1842@events.example.com",
            DtStamp = stamp,
            Start = new CalDateTime(2026, 7, 9, 18, 30, 0, London),
            End = new CalDateTime(2026, 7, 9, 20, 30, 0, London),
            Summary = "Rust & .NET: interop, FFI; and more 🦀",
            Description = "Talks:\n1. Zero-copy parsing, in C# 🚀\n2. \"Unsafe\" isn't a dirty word; really\\truly.\n"
                + "Doors open 18:00. Food & drinks provided – see https://events.example.com/e/1842 for details. 日本語テキストも大丈夫です。",
            Location = "Example HQ, 1 Old Street, London EC1V 9HL",
            Geo = new GeographicLocation(51.525712, -0.087548),
            Url = new Uri("https://events.example.com/e/1842"),
            Organizer = organizer,
            Status = EventStatus.Confirmed,
            Sequence = 2,
            Created = Utc(2026, 5, 2, 10),
            LastModified = stamp,
            Transparency = EventTransparency.Opaque,
            Class = "PUBLIC",
        };
        meetup.Categories.AddRange(["Meetup", "Rust, .NET"]);

        var webinar = new CalendarEvent
        {
            Uid = "event-1901@events.example.com",
            DtStamp = stamp,
            Start = new CalDateTime(2026, 11, 12, 12, 0, 0, London),
            Duration = TimeSpan.FromHours(1),
            Summary = "Lunchtime webinar: iCalendar feeds done right",
            Description = "Join online: https://meet.example.com/j/1901?pwd=abc",
            Location = "Online",
            Url = new Uri("https://events.example.com/e/1901"),
            Organizer = organizer,
            Status = EventStatus.Confirmed,
            LastModified = stamp,
        };
        webinar.Conferences.Add(new Conference("https://meet.example.com/j/1901?pwd=abc", ["AUDIO", "VIDEO"], "Join online: video, audio"));

        var hackWeekend = new CalendarEvent
        {
            Uid = "event-1950@events.example.com",
            DtStamp = stamp,
            Start = new CalDateTime(2026, 9, 19),
            End = new CalDateTime(2026, 9, 21),
            Summary = "Hack weekend",
            Organizer = organizer,
            Transparency = EventTransparency.Transparent,
            Status = EventStatus.Confirmed,
            LastModified = stamp,
        };

        var quiz = new CalendarEvent
        {
            Uid = "series-77@events.example.com",
            DtStamp = stamp,
            Start = new CalDateTime(2026, 9, 1, 18, 30, 0, London),
            End = new CalDateTime(2026, 9, 1, 20, 0, 0, London),
            Summary = "Monthly pub quiz",
            Organizer = organizer,
            Status = EventStatus.Confirmed,
            Sequence = 1,
            LastModified = stamp,
        };
        var rule = new RecurrencePattern(FrequencyType.Monthly) { Count = 4 };
        rule.ByDay.Add(new WeekDay(DayOfWeek.Tuesday, 1));
        quiz.RecurrenceRules.Add(rule);
        quiz.ExceptionDates.Add(new CalDateTime(2026, 11, 3, 18, 30, 0, London));

        var social = new CalendarEvent
        {
            Uid = "event-1877@events.example.com",
            DtStamp = stamp,
            Start = new CalDateTime(2026, 8, 20, 19, 0, 0, London),
            End = new CalDateTime(2026, 8, 20, 21, 0, 0, London),
            Summary = "Cancelled: Summer social",
            Organizer = organizer,
            Status = EventStatus.Cancelled,
            Sequence = 3,
            LastModified = stamp,
        };

        calendar.Events.AddRange([meetup, webinar, hackWeekend, quiz, social]);
        return calendar;
    }
}
