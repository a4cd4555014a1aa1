using LiveHub.ICalendar.Serialization;
using LiveHub.ICalendar.TimeZones;

namespace LiveHub.ICalendar.Tests.TimeZones;

public sealed class VTimeZoneGeneratorTests
{
    public static TheoryData<string> Zones => new()
    {
        "Europe/London", "America/New_York", "Australia/Sydney", "Europe/Dublin", "America/Sao_Paulo",
        "Asia/Kolkata", "Pacific/Chatham", "America/Santiago", "Africa/Cairo", "Asia/Tokyo",
    };

    [Fact]
    public void LondonFrom2025MatchesTheReferenceShape()
    {
        var calendar = new Calendar();
        calendar.AddTimeZone(TimeZoneInfo.FindSystemTimeZoneById("Europe/London"), 2025, 2027);
        var text = new CalendarSerializer().SerializeToString(calendar);

        Assert.Contains(
            "BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\nX-LIC-LOCATION:Europe/London\r\n"
            + "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nDTSTART:20250330T010000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
            + "BEGIN:STANDARD\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nDTSTART:20251026T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
            + "END:VTIMEZONE\r\n",
            text,
            StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Zones))]
    public void GeneratedZoneAgreesWithTimeZoneInfoFrom2015To2030(string tzId)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(tzId);
        var calendar = new Calendar();
        calendar.AddTimeZone(zone, 2015, 2030);
        // Evaluate what a client would read: the serialized and re-parsed VTIMEZONE.
        var parsed = Calendar.Load(new CalendarSerializer().SerializeToUtf8Bytes(calendar));
        var rules = parsed.TimeZones.Single().ToRules();

        var compared = 0;
        for (var local = new DateTime(2015, 1, 1, 0, 17, 0); local.Year <= 2030; local = local.AddHours(53.25))
        {
            if (zone.IsInvalidTime(local) || zone.IsAmbiguousTime(local))
            {
                continue;
            }

            Assert.Equal(TimeZoneInfo.ConvertTimeToUtc(local, zone), rules.ToUtc(local));
            var utc = DateTime.SpecifyKind(local, DateTimeKind.Utc);
            Assert.Equal(zone.GetUtcOffset(utc), rules.GetUtcOffset(utc));
            compared++;
        }

        Assert.True(compared > 2500);
    }

    [Theory]
    [InlineData("Asia/Kolkata", 5.5)]
    [InlineData("Asia/Tokyo", 9)]
    public void FixedOffsetZoneIsOneStandardObservanceWithoutRule(string tzId, double hours)
    {
        var zone = VTimeZone.FromSystemTimeZone(tzId, 2020, 2030);

        var observance = Assert.Single(zone.Observances);
        Assert.Equal(ObservanceKind.Standard, observance.Kind);
        Assert.Equal(TimeSpan.FromHours(hours), observance.OffsetFrom);
        Assert.Equal(TimeSpan.FromHours(hours), observance.OffsetTo);
        Assert.Null(observance.RecurrenceRule);
    }

    [Fact]
    public void ZoneThatStoppedDaylightSavingGetsUntilOnItsLastRule()
    {
        var zone = VTimeZone.FromSystemTimeZone("America/Sao_Paulo", 2015, 2030);

        Assert.All(zone.Observances.Where(o => o.RecurrenceRule is not null), o => Assert.NotNull(o.RecurrenceRule!.Until));
        Assert.Equal(TimeSpan.FromHours(-3), zone.ToRules().GetUtcOffset(SampleFeeds.Utc(2029, 1, 15)));
    }

    [Fact]
    public void RangeWithoutChangeInFirstYearGetsAPrependedFixedObservance()
    {
        var zone = VTimeZone.FromSystemTimeZone("America/Sao_Paulo", 2020, 2030);

        var observance = Assert.Single(zone.Observances);
        Assert.Equal(new DateTime(2020, 1, 1), observance.Start);
        Assert.Equal(TimeSpan.FromHours(-3), observance.OffsetTo);
    }

    [Fact]
    public void DublinSummerIsTheDaylightObservance()
    {
        var zone = VTimeZone.FromSystemTimeZone("Europe/Dublin", 2025, 2027);

        var daylight = Assert.Single(zone.Observances, o => o.Kind == ObservanceKind.Daylight);
        Assert.Equal(TimeSpan.FromHours(1), daylight.OffsetTo);
    }

    [Fact]
    public void WindowsIdGetsAnIanaTzid() =>
        Assert.Equal("Europe/Berlin", VTimeZone.FromSystemTimeZone("W. Europe Standard Time", 2025, 2026).TzId);
}

public sealed class VTimeZoneEvaluationTests
{
    [Fact]
    public async Task HostileObservanceRuleIsCappedInsteadOfRunningForever()
    {
        const string text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTIMEZONE\r\nTZID:Hostile\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\n"
            + "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=SECONDLY\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:h\r\n"
            + "DTSTART;TZID=Hostile:20260101T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        var calendar = Calendar.Load(text);

        // Uncapped, the rule would step through some 1.3e10 seconds since 1601 (hours of CPU); capped, it stops after a
        // few seconds at most even on a loaded machine. The ceiling tells the two apart without racing the clock.
        var evaluation = Task.Run(() => calendar.Events[0].Start!.Value.ToUtc(calendar.CreateTimeZoneResolver()));
        Assert.True(await Task.WhenAny(evaluation, Task.Delay(TimeSpan.FromMinutes(2))) == evaluation,
            "the hostile rule was still being evaluated after 2 minutes: the cap did not apply");

        Assert.Equal(SampleFeeds.Utc(2026, 1, 1, 8), await evaluation);
    }

    [Fact]
    public void RdateObservancesAndTimesBeforeTheFirstOnsetAreHandled()
    {
        var zone = new VTimeZone("Test/Rdate");
        zone.Observances.Add(new TimeZoneObservance { Kind = ObservanceKind.Standard, Start = new DateTime(2020, 1, 1), OffsetFrom = TimeSpan.FromHours(3), OffsetTo = TimeSpan.FromHours(2) });
        var daylight = new TimeZoneObservance { Kind = ObservanceKind.Daylight, Start = new DateTime(2020, 6, 1), OffsetFrom = TimeSpan.FromHours(2), OffsetTo = TimeSpan.FromHours(4) };
        daylight.RecurrenceDates.Add(new DateTime(2030, 6, 1));
        zone.Observances.Add(daylight);
        var rules = zone.ToRules();

        Assert.Equal(TimeSpan.FromHours(3), rules.GetUtcOffset(SampleFeeds.Utc(2019, 1, 1)));
        Assert.Equal(TimeSpan.FromHours(2), rules.GetUtcOffset(SampleFeeds.Utc(2020, 3, 1)));
        Assert.Equal(TimeSpan.FromHours(4), rules.GetUtcOffset(SampleFeeds.Utc(2025, 1, 1)));
    }
}
