using LiveHub.ICalendar.TimeZones;

namespace LiveHub.ICalendar.Tests.TimeZones;

public sealed class DstEdgeTests
{
    private const string NewYork = "America/New_York";

    public static TheoryData<string> RuleSources => new() { "system", "vtimezone" };

    private static ITimeZoneRules Rules(string source) => source == "system"
        ? new SystemTimeZoneRules(TimeZoneInfo.FindSystemTimeZoneById(NewYork))
        : VTimeZone.FromSystemTimeZone(NewYork, 2006, 2008).ToRules();

    [Theory]
    [MemberData(nameof(RuleSources))]
    public void AmbiguousLocalTimeIsTheFirstOccurrence(string source) =>
        Assert.Equal(SampleFeeds.Utc(2007, 11, 4, 5, 30), Rules(source).ToUtc(new DateTime(2007, 11, 4, 1, 30, 0)));

    [Theory]
    [MemberData(nameof(RuleSources))]
    public void NonexistentLocalTimeUsesTheOffsetBeforeTheGap(string source) =>
        Assert.Equal(SampleFeeds.Utc(2007, 3, 11, 7, 30), Rules(source).ToUtc(new DateTime(2007, 3, 11, 2, 30, 0)));

    [Theory]
    [MemberData(nameof(RuleSources))]
    public void OrdinaryTimesMatchTimeZoneInfo(string source)
    {
        Assert.Equal(SampleFeeds.Utc(2007, 11, 4, 7, 30), Rules(source).ToUtc(new DateTime(2007, 11, 4, 2, 30, 0)));
        Assert.Equal(SampleFeeds.Utc(2007, 3, 11, 7, 0), Rules(source).ToUtc(new DateTime(2007, 3, 11, 3, 0, 0)));
    }

    [Fact]
    public void CalDateTimeUsesRfcSemantics()
    {
        Assert.Equal(SampleFeeds.Utc(2007, 3, 11, 7, 30), new CalDateTime(2007, 3, 11, 2, 30, 0, NewYork).AsUtc);
        Assert.Equal(SampleFeeds.Utc(2007, 11, 4, 5, 30), new CalDateTime(2007, 11, 4, 1, 30, 0, NewYork).AsUtc);
    }

    [Fact]
    public void FloatingAndDateValuesUseTheGivenZone()
    {
        var london = new SystemTimeZoneRules(TimeZoneInfo.FindSystemTimeZoneById("Europe/London"));

        Assert.Equal(SampleFeeds.Utc(2026, 7, 1, 9), CalDateTime.Floating(new DateTime(2026, 7, 1, 10, 0, 0)).ToUtc(floatingZone: london));
        Assert.Equal(SampleFeeds.Utc(2026, 6, 30, 23), new CalDateTime(2026, 7, 1).ToUtc(floatingZone: london));
        Assert.Equal(SampleFeeds.Utc(2026, 7, 1, 10), CalDateTime.Floating(new DateTime(2026, 7, 1, 10, 0, 0)).AsUtc);
    }
}
