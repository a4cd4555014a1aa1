using LiveHub.ICalendar.Recurrence;

namespace LiveHub.ICalendar.Tests.Recurrence;

public sealed class RecurrenceTests
{
    private static readonly DateTime WindowStart = SampleFeeds.Utc(2000, 1, 1);
    private static readonly DateTime WindowEnd = SampleFeeds.Utc(2040, 1, 1);

    private static List<DateTime> Starts(CalDateTime start, string rule, EvaluationOptions? options = null, Action<CalendarEvent>? configure = null)
    {
        var e = new CalendarEvent { Uid = "r", Start = start };
        e.RecurrenceRules.Add(RecurrencePattern.Parse(rule));
        configure?.Invoke(e);
        return [.. e.GetOccurrences(WindowStart, WindowEnd, options: options).Select(o => o.Start.Value)];
    }

    private static DateTime D(int year, int month, int day, int hour = 0, int minute = 0) => new(year, month, day, hour, minute, 0);

    [Fact]
    public void ReferenceSeriesCountsTheExcludedInstance()
    {
        var quiz = SampleFeeds.LondonMeetups().Events.Single(e => e.Uid == "series-77@events.example.com");

        var occurrences = quiz.GetOccurrences(SampleFeeds.Utc(2026, 1, 1), SampleFeeds.Utc(2027, 1, 1));

        Assert.Equal(
            [SampleFeeds.Utc(2026, 9, 1, 17, 30), SampleFeeds.Utc(2026, 10, 6, 17, 30), SampleFeeds.Utc(2026, 12, 1, 18, 30)],
            occurrences.Select(o => o.StartUtc));
        Assert.Equal(SampleFeeds.Utc(2026, 12, 1, 20), occurrences[2].EndUtc);
    }

    [Fact]
    public void DailyWithIntervalAndCount() =>
        Assert.Equal(
            [D(2026, 1, 30, 9), D(2026, 2, 1, 9), D(2026, 2, 3, 9), D(2026, 2, 5, 9)],
            Starts(new CalDateTime(2026, 1, 30, 9, 0, 0), "FREQ=DAILY;INTERVAL=2;COUNT=4"));

    [Fact]
    public void WeeklyByDayUntilUtcIsInclusive() =>
        Assert.Equal(
            [D(2026, 3, 2, 10), D(2026, 3, 4, 10), D(2026, 3, 6, 10), D(2026, 3, 9, 10)],
            Starts(CalDateTime.FromUtc(SampleFeeds.Utc(2026, 3, 2, 10)), "FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20260309T100000Z"));

    [Fact]
    public void WeeklyKeepsLocalTimeAcrossDaylightSavingChange()
    {
        var e = new CalendarEvent { Uid = "w", Start = new CalDateTime(2026, 10, 20, 18, 30, 0, "Europe/London"), Duration = TimeSpan.FromHours(1) };
        e.RecurrenceRules.Add(RecurrencePattern.Parse("FREQ=WEEKLY;COUNT=2"));

        var occurrences = e.GetOccurrences(WindowStart, WindowEnd);

        Assert.Equal([SampleFeeds.Utc(2026, 10, 20, 17, 30), SampleFeeds.Utc(2026, 10, 27, 18, 30)], occurrences.Select(o => o.StartUtc));
        Assert.All(occurrences, o => Assert.Equal(new TimeOnly(18, 30), o.Start.Time));
    }

    [Fact]
    public void MonthlyNegativeMonthDayIsTheLastDay() =>
        Assert.Equal(
            [D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30)],
            Starts(new CalDateTime(2026, 1, 31, 0, 0, 0), "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=4"));

    [Fact]
    public void MonthlyOnTheThirtyFirstSkipsShortMonths() =>
        Assert.Equal(
            [D(2026, 1, 31), D(2026, 3, 31), D(2026, 5, 31)],
            Starts(new CalDateTime(2026, 1, 31, 0, 0, 0), "FREQ=MONTHLY;COUNT=3"));

    [Fact]
    public void MonthlyLastFriday() =>
        Assert.Equal(
            [D(2026, 1, 30, 17), D(2026, 2, 27, 17), D(2026, 3, 27, 17)],
            Starts(new CalDateTime(2026, 1, 30, 17, 0, 0), "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3"));

    [Fact]
    public void MonthlyLastWeekdayWithSetPosition() =>
        Assert.Equal(
            [D(2026, 1, 30), D(2026, 2, 27), D(2026, 5, 29)],
            Starts(new CalDateTime(2026, 1, 30, 0, 0, 0), "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=5").Where(d => d.Month is 1 or 2 or 5));

    [Fact]
    public void MonthlyFridayThe13thCombinesByDayAndByMonthDay() =>
        Assert.Equal(
            [D(2026, 2, 13), D(2026, 3, 13), D(2026, 11, 13), D(2027, 8, 13)],
            Starts(new CalDateTime(2026, 2, 13, 0, 0, 0), "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13;COUNT=4"));

    [Fact]
    public void YearlyLastSundayOfMarch() =>
        Assert.Equal(
            [D(2025, 3, 30, 1), D(2026, 3, 29, 1), D(2027, 3, 28, 1)],
            Starts(new CalDateTime(2025, 3, 30, 1, 0, 0), "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;COUNT=3"));

    [Fact]
    public void YearlyOnLeapDayOnlyHitsLeapYears() =>
        Assert.Equal(
            [D(2024, 2, 29), D(2028, 2, 29), D(2032, 2, 29)],
            Starts(new CalDateTime(2024, 2, 29, 0, 0, 0), "FREQ=YEARLY;COUNT=3"));

    [Fact]
    public void YearlyByMonthWithoutByDayUsesTheStartDay() =>
        Assert.Equal(
            [D(2026, 1, 15), D(2026, 7, 15), D(2027, 1, 15)],
            Starts(new CalDateTime(2026, 1, 15, 0, 0, 0), "FREQ=YEARLY;BYMONTH=1,7;COUNT=3"));

    [Fact]
    public void AllDaySeriesWithDateUntil()
    {
        var e = new CalendarEvent { Uid = "d", Start = new CalDateTime(2026, 9, 19), End = new CalDateTime(2026, 9, 21) };
        e.RecurrenceRules.Add(RecurrencePattern.Parse("FREQ=WEEKLY;UNTIL=20261003"));

        var occurrences = e.GetOccurrences(WindowStart, WindowEnd);

        Assert.Equal([new CalDateTime(2026, 9, 19), new CalDateTime(2026, 9, 26), new CalDateTime(2026, 10, 3)], occurrences.Select(o => o.Start));
        Assert.Equal(new CalDateTime(2026, 10, 5), occurrences[2].End);
    }

    [Fact]
    public void DateUntilOnATimedSeriesIncludesThatDay() =>
        Assert.Equal(
            [D(2021, 12, 2, 18), D(2021, 12, 9, 18), D(2021, 12, 16, 18)],
            Starts(new CalDateTime(2021, 12, 2, 18, 0, 0, "Europe/Oslo"), "FREQ=WEEKLY;UNTIL=20211216"));

    [Fact]
    public void ExdateAndRdateAreApplied() =>
        Assert.Equal(
            [D(2026, 1, 1, 9), D(2026, 1, 3, 9), D(2026, 1, 10, 12)],
            Starts(new CalDateTime(2026, 1, 1, 9, 0, 0, "Europe/London"), "FREQ=DAILY;COUNT=3", configure: e =>
            {
                e.ExceptionDates.Add(CalDateTime.FromUtc(SampleFeeds.Utc(2026, 1, 2, 9)));
                e.RecurrenceDates.Add(new CalDateTime(2026, 1, 10, 12, 0, 0, "Europe/London"));
            }));

    [Fact]
    public void OverrideMatchesByUtcInstantAndReplacesTheInstance()
    {
        var calendar = new Calendar();
        var master = new CalendarEvent { Uid = "s", Start = new CalDateTime(2026, 7, 1, 10, 0, 0, "Europe/London"), Duration = TimeSpan.FromHours(1), Summary = "Weekly" };
        master.RecurrenceRules.Add(RecurrencePattern.Parse("FREQ=WEEKLY;COUNT=3"));
        var moved = new CalendarEvent
        {
            Uid = "s",
            RecurrenceId = CalDateTime.FromUtc(SampleFeeds.Utc(2026, 7, 8, 9)),
            Start = new CalDateTime(2026, 7, 9, 15, 0, 0, "Europe/London"),
            End = new CalDateTime(2026, 7, 9, 16, 0, 0, "Europe/London"),
            Summary = "Moved",
        };
        calendar.Events.AddRange([moved, master]);

        var occurrences = calendar.GetOccurrences(SampleFeeds.Utc(2026, 1, 1), SampleFeeds.Utc(2027, 1, 1));

        Assert.Equal(
            [(SampleFeeds.Utc(2026, 7, 1, 9), "Weekly"), (SampleFeeds.Utc(2026, 7, 9, 14), "Moved"), (SampleFeeds.Utc(2026, 7, 15, 9), "Weekly")],
            occurrences.Select(o => (o.StartUtc, o.Source.Summary!)));
        Assert.True(occurrences[1].IsOverride);
    }

    [Fact]
    public void WindowSelectsOverlappingInstancesOnly()
    {
        var e = new CalendarEvent { Uid = "w", Start = CalDateTime.FromUtc(SampleFeeds.Utc(2026, 1, 1, 10)), Duration = TimeSpan.FromHours(2) };
        e.RecurrenceRules.Add(RecurrencePattern.Parse("FREQ=DAILY"));

        var occurrences = e.GetOccurrences(SampleFeeds.Utc(2026, 1, 5, 11), SampleFeeds.Utc(2026, 1, 7, 10));

        Assert.Equal([SampleFeeds.Utc(2026, 1, 5, 10), SampleFeeds.Utc(2026, 1, 6, 10)], occurrences.Select(o => o.StartUtc));
    }

    [Fact]
    public void RuleThatCanNeverMatchStopsWithoutHanging() =>
        Assert.Equal([D(2026, 1, 1)], Starts(new CalDateTime(2026, 1, 1, 0, 0, 0), "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"));

    [Fact]
    public void ExpansionLimitsThrowTheLibrarysException()
    {
        Assert.Throws<EvaluationLimitExceededException>(() =>
            Starts(CalDateTime.FromUtc(SampleFeeds.Utc(2026, 1, 1)), "FREQ=SECONDLY", new EvaluationOptions { MaxIncrements = 10_000 }));
        Assert.Throws<EvaluationLimitExceededException>(() =>
            Starts(CalDateTime.FromUtc(SampleFeeds.Utc(2026, 1, 1)), "FREQ=DAILY", new EvaluationOptions { MaxOccurrences = 100 }));
    }

    [Theory]
    [InlineData("FREQ=WEEKLY;COUNT=3;", "FREQ=WEEKLY;COUNT=3")]
    [InlineData("freq=monthly;byday=1tu;count=4", "FREQ=MONTHLY;BYDAY=1TU;COUNT=4")]
    [InlineData("FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10", "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU")]
    [InlineData("FREQ=WEEKLY;WKST=SU;BYDAY=TU,TH;UNTIL=20261231T235959Z;BYWEEKNO=20", "FREQ=WEEKLY;BYDAY=TU,TH;BYWEEKNO=20;WKST=SU;UNTIL=20261231T235959Z")]
    public void RulesParseLenientlyAndFormatCanonically(string text, string expected) =>
        Assert.Equal(expected, RecurrencePattern.Parse(text).ToString());

    [Theory]
    [InlineData("COUNT=3")]
    [InlineData("FREQ=FORTNIGHTLY")]
    [InlineData("FREQ=DAILY;COUNT=0")]
    [InlineData("FREQ=DAILY;BYDAY=XX")]
    [InlineData("FREQ=DAILY;COUNT=2;UNTIL=20260101")]
    [InlineData("FREQ=MONTHLY;BYMONTHDAY=32")]
    public void MalformedRulesAreRejected(string text) =>
        Assert.False(RecurrencePattern.TryParse(text, out _, out _));
}
