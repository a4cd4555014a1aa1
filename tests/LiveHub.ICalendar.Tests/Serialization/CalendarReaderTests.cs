using System.Text;
using LiveHub.ICalendar.Serialization;

namespace LiveHub.ICalendar.Tests.Serialization;

public sealed class CalendarReaderTests
{
    private const string Header = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//T//T//EN\r\n";
    private const string Footer = "END:VCALENDAR\r\n";

    private static CalendarReadResult Read(string body, CalendarReaderOptions? options = null) =>
        new CalendarReader(options).Read(Header + body + Footer);

    private static CalendarEvent ReadEvent(string eventLines) =>
        Read("BEGIN:VEVENT\r\nUID:u\r\nDTSTAMP:20260101T000000Z\r\n" + eventLines + "END:VEVENT\r\n").Calendars[0].Events.Single();

    [Fact]
    public void QuotedParameterMayContainSemicolonColonAndComma()
    {
        var e = ReadEvent("DTSTART:20260101T100000Z\r\nORGANIZER;CN=\"Doe, Jane; PhD: CEO\":mailto:jane@example.com\r\n");

        Assert.Equal(new Organizer("mailto:jane@example.com", "Doe, Jane; PhD: CEO"), e.Organizer);
    }

    [Fact]
    public void DateWithoutValueDateIsADate()
    {
        var e = ReadEvent("DTSTART:20260301\r\n");

        Assert.Equal(new CalDateTime(2026, 3, 1), e.Start);
        Assert.True(e.IsAllDay);
    }

    [Theory]
    [InlineData("P1W", 7 * 24 * 60)]
    [InlineData("-PT15M", -15)]
    [InlineData("P1DT2H3M", (24 * 60) + 123)]
    [InlineData("+PT90S", 1.5)]
    [InlineData("PT0S", 0)]
    public void ParsesDurations(string text, double minutes)
    {
        Assert.True(ValueFormats.TryParseDuration(text, out var duration));
        Assert.Equal(TimeSpan.FromMinutes(minutes), duration);
    }

    [Theory]
    [InlineData("P")]
    [InlineData("PT")]
    [InlineData("1H")]
    [InlineData("P1H")]
    [InlineData("PT1D")]
    [InlineData("P99999999999D")]
    public void RejectsMalformedDurations(string text) => Assert.False(ValueFormats.TryParseDuration(text, out _));

    [Fact]
    public void TzidResolutionPrefersTheFilesVTimeZone()
    {
        var result = Read(
            "BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0500\r\nTZOFFSETTO:+0500\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
            + "BEGIN:VEVENT\r\nUID:u\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/London:20260701T100000\r\nEND:VEVENT\r\n");
        var calendar = result.Calendars[0];

        Assert.Equal(SampleFeeds.Utc(2026, 7, 1, 5), calendar.Events[0].Start!.Value.ToUtc(calendar.CreateTimeZoneResolver()));
    }

    [Theory]
    [InlineData("\"Europe/Vienna\"", "Europe/Vienna", 8)]
    [InlineData("/Europe/Vienna", "Europe/Vienna", 8)]
    [InlineData("W. Europe Standard Time", "Europe/Berlin", 8)]
    [InlineData("\"GMT Standard Time\"", "Europe/London", 9)]
    public void TzidFallsBackToSystemZonesIncludingWindowsIds(string tzId, string expectedIana, int expectedUtcHour)
    {
        var e = ReadEvent($"DTSTART;TZID={tzId}:20260701T100000\r\n");

        Assert.Equal(expectedIana, e.Start!.Value.TzId);
        Assert.Equal(SampleFeeds.Utc(2026, 7, 1, expectedUtcHour), e.Start.Value.AsUtc);
    }

    [Fact]
    public void UnknownTzidBecomesFloatingWithAWarning()
    {
        var result = Read("BEGIN:VEVENT\r\nUID:u\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=\"(UTC-05:00) Eastern Time\":20260701T100000\r\nEND:VEVENT\r\n");

        Assert.True(result.Calendars[0].Events[0].Start!.Value.IsFloating);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(7, warning.LineNumber);
        Assert.Contains("unknown TZID", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownPropertiesParametersAndComponentsAreKeptAndWrittenBack()
    {
        const string body = "X-CAL-PROP;X-A=\"1;2\":v\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTAMP:20260101T000000Z\r\nSEQUENCE:0\r\nX-EVENT;X-B=1,2:raw\\, value\r\n"
            + "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\nBEGIN:X-THING\r\nX-Y:z\r\nEND:X-THING\r\n";
        var calendar = Read(body).Calendars[0];

        Assert.Equal("X-CAL-PROP;X-A=1;2:v", calendar.Properties.Single().ToString());
        Assert.Equal(["1", "2"], calendar.Events[0].Properties.Single().Parameters.Single().Values);
        Assert.Equal("raw, value", calendar.Events[0].Properties.Single().TextValue);
        Assert.Equal("VALARM", calendar.Events[0].Components.Single().Name);
        Assert.Equal("X-THING", calendar.Components.Single().Name);
        var written = new CalendarSerializer().SerializeToString(calendar);
        Assert.Contains("X-CAL-PROP;X-A=\"1;2\":v\r\n", written, StringComparison.Ordinal);
        Assert.Contains("X-EVENT;X-B=1,2:raw\\, value\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\n", written, StringComparison.Ordinal);
        Assert.Contains("BEGIN:X-THING\r\nX-Y:z\r\nEND:X-THING\r\n", written, StringComparison.Ordinal);
    }

    [Fact]
    public void HtmlPreambleIsSkippedWithWarningsButStrictModeFailsOnLineOne()
    {
        var text = "<html>\r\n<body>oops</body>\r\n" + Header + Footer;

        var lenient = new CalendarReader().Read(text);
        Assert.Equal([1, 2], lenient.Warnings.Select(w => w.LineNumber));

        var error = Assert.Throws<CalendarParseException>(() => new CalendarReader(new CalendarReaderOptions { Strict = true }).Read(text));
        Assert.Equal(1, error.LineNumber);
        Assert.StartsWith("Line 1: not an iCalendar content line", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MismatchedEndAutoClosesInnerComponentWithWarning()
    {
        var result = Read("BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260101T100000Z\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nEND:VEVENT\r\n");

        Assert.Equal("VALARM", result.Calendars[0].Events.Single().Components.Single().Name);
        Assert.Contains(result.Warnings, w => w.LineNumber == 8 && w.Message.Contains("VALARM", StringComparison.Ordinal));
    }

    [Fact]
    public void InputLimitsAreEnforcedWithLineNumbers()
    {
        var huge = Header + "BEGIN:VEVENT\r\nDESCRIPTION:" + new string('x', 2000) + "\r\nEND:VEVENT\r\n" + Footer;
        var lineError = Assert.Throws<CalendarParseException>(() => new CalendarReader(new CalendarReaderOptions { MaxLineBytes = 1000 }).Read(huge));
        Assert.Equal(5, lineError.LineNumber);

        var sizeError = Assert.Throws<CalendarParseException>(() => new CalendarReader(new CalendarReaderOptions { MaxInputBytes = 100 }).Read(new MemoryStream(Encoding.UTF8.GetBytes(huge))));
        Assert.Contains("larger than the limit", sizeError.Message, StringComparison.Ordinal);

        var many = Header + string.Concat(Enumerable.Repeat("BEGIN:VEVENT\r\nEND:VEVENT\r\n", 20)) + Footer;
        var countError = Assert.Throws<CalendarParseException>(() => new CalendarReader(new CalendarReaderOptions { MaxComponents = 10 }).Read(many));
        Assert.Equal(22, countError.LineNumber);

        var deep = Header + string.Concat(Enumerable.Repeat("BEGIN:X\r\n", 100));
        Assert.Throws<CalendarParseException>(() => new CalendarReader().Read(deep));
    }

    [Fact]
    public void HugeLineBeyondTheDefaultLimitFailsCleanly()
    {
        var huge = Header + "BEGIN:VEVENT\r\nDESCRIPTION:" + new string('x', 1_100_000) + "\r\nEND:VEVENT\r\n" + Footer;

        var error = Assert.Throws<CalendarParseException>(() => new CalendarReader().Read(huge));

        Assert.Equal(5, error.LineNumber);
    }

    [Fact]
    public async Task ReadsFromAStreamAsynchronously()
    {
        var bytes = new CalendarSerializer().SerializeToUtf8Bytes(SampleFeeds.LondonMeetups());

        var result = await new CalendarReader().ReadAsync(new MemoryStream(bytes));

        Assert.Equal(5, result.Calendars.Single().Events.Count);
    }

    [Fact]
    public void UtcOnlyPropertiesInLocalFormAreConvertedWithAWarning()
    {
        var result = Read("BEGIN:VEVENT\r\nUID:u\r\nDTSTAMP;TZID=Europe/London:20260701T100000\r\nDTSTART:20260701T100000Z\r\nEND:VEVENT\r\n");

        Assert.Equal(SampleFeeds.Utc(2026, 7, 1, 9), result.Calendars[0].Events[0].DtStamp);
        Assert.Contains(result.Warnings, w => w.LineNumber == 6);
    }
}
