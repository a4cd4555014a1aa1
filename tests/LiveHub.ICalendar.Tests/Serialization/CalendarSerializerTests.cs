using System.Globalization;
using System.Text;
using LiveHub.ICalendar.Serialization;

namespace LiveHub.ICalendar.Tests.Serialization;

public sealed class CalendarSerializerTests
{
    private static readonly CalendarSerializer Serializer = new();

    [Fact]
    public void OutputIsDeterministicCrlfOnlyWithoutBomAndFolded()
    {
        var first = Serializer.SerializeToUtf8Bytes(SampleFeeds.LondonMeetups());
        var second = Serializer.SerializeToUtf8Bytes(SampleFeeds.LondonMeetups());

        Assert.Equal(first, second);
        Assert.False(first.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]));
        var text = Encoding.UTF8.GetString(first);
        Assert.DoesNotContain("\n", text.Replace("\r\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("\r", text.Replace("\r\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.All(text.Split("\r\n"), line => Assert.True(Encoding.UTF8.GetByteCount(line) <= 75));
    }

    [Theory]
    [InlineData("de-DE")]
    [InlineData("ar-SA")]
    [InlineData("fa-IR")]
    [InlineData("th-TH")]
    public void BytesAndParsedValuesDoNotDependOnCulture(string cultureName)
    {
        var invariantBytes = Serializer.SerializeToUtf8Bytes(SampleFeeds.LondonMeetups());
        var invariantModel = Calendar.Load(invariantBytes);

        var (bytes, model) = WithCulture(cultureName, () =>
        {
            var written = Serializer.SerializeToUtf8Bytes(SampleFeeds.LondonMeetups());
            return (written, Calendar.Load(written));
        });

        Assert.Equal(invariantBytes, bytes);
        ModelAssert.Equivalent(invariantModel, model);
        Assert.Equal(new GeographicLocation(51.525712, -0.087548), model.Events[0].Geo);
    }

    [Fact]
    public void WriterReproducesTheReferenceFeedSemantics()
    {
        var reference = Calendar.Load(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Corpus", "reference-section14.ics")));
        var written = Calendar.Load(Serializer.SerializeToUtf8Bytes(SampleFeeds.LondonMeetups()));

        ModelAssert.Equivalent(reference, written);
        Assert.Equal(
            ComponentLineSets(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Corpus", "reference-section14.ics"))),
            ComponentLineSets(Serializer.SerializeToString(SampleFeeds.LondonMeetups())));
    }

    [Fact]
    public void DateTimeFormsFollowTheRfc()
    {
        var calendar = new Calendar();
        var e = new CalendarEvent
        {
            Uid = "forms",
            DtStamp = new DateTime(2026, 6, 1, 9, 0, 0, 500, DateTimeKind.Utc),
            Start = CalDateTime.Floating(new DateTime(2026, 1, 18, 23, 0, 0)),
            End = CalDateTime.FromUtc(new DateTime(2026, 1, 19, 7, 0, 0, DateTimeKind.Utc)),
            RecurrenceId = new CalDateTime(2026, 1, 18),
            Duration = null,
        };
        e.ExceptionDates.AddRange([new CalDateTime(2026, 2, 1, 10, 0, 0, "Europe/London"), new CalDateTime(2026, 3, 1, 10, 0, 0, "Europe/London"), new CalDateTime(2026, 4, 1)]);
        calendar.Events.Add(e);

        var text = Serializer.SerializeToString(calendar);

        Assert.Contains("DTSTAMP:20260601T090000Z\r\n", text, StringComparison.Ordinal);
        Assert.Contains("DTSTART:20260118T230000\r\n", text, StringComparison.Ordinal);
        Assert.Contains("DTEND:20260119T070000Z\r\n", text, StringComparison.Ordinal);
        Assert.Contains("RECURRENCE-ID;VALUE=DATE:20260118\r\n", text, StringComparison.Ordinal);
        Assert.Contains("EXDATE;TZID=Europe/London:20260201T100000,20260301T100000\r\n", text, StringComparison.Ordinal);
        Assert.Contains("EXDATE;VALUE=DATE:20260401\r\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 0, "PT0S")]
    [InlineData(90, 0, "PT1H30M")]
    [InlineData(0, 2, "P2D")]
    [InlineData(-15, 0, "-PT15M")]
    [InlineData(61, 1, "P1DT1H1M")]
    public void DurationsAreWrittenInRfcForm(int minutes, int days, string expected) =>
        Assert.Equal(expected, ValueFormats.FormatDuration(TimeSpan.FromDays(days) + TimeSpan.FromMinutes(minutes)));

    [Fact]
    public void ControlCharactersInRawValuesCannotInjectLines()
    {
        var calendar = new Calendar();
        var e = new CalendarEvent { Uid = "x\r\nBEGIN:VEVENT", Organizer = new Organizer("mailto:a@b.c\r\nX-EVIL:1", "N\r\nX") };
        e.Properties.Add(new CalendarProperty("X-RAW", "1\r\nX-EVIL:2"));
        calendar.Events.Add(e);

        var lines = Serializer.SerializeToString(calendar).Split("\r\n");

        Assert.DoesNotContain(lines, l => l.StartsWith("X-EVIL", StringComparison.Ordinal));
        Assert.Single(lines, l => l == "BEGIN:VEVENT");
    }

    [Fact]
    public void GeoIsRoundedToSixDecimals()
    {
        var calendar = new Calendar();
        calendar.Events.Add(new CalendarEvent { Uid = "g", Geo = new GeographicLocation(1.23456789, -0.0000001) });

        Assert.Contains("GEO:1.234568;0\r\n", Serializer.SerializeToString(calendar), StringComparison.Ordinal);
    }

    internal static T WithCulture<T>(string cultureName, Func<T> action)
    {
        var (culture, uiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo(cultureName);
            return action();
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, uiCulture);
        }
    }

    /// <summary>Per component (by its BEGIN position), the set of unfolded lines; ignores order and the optional TZNAME.</summary>
    private static List<string> ComponentLineSets(string text)
    {
        var unfolded = text.Replace("\r\n ", string.Empty, StringComparison.Ordinal);
        var result = new List<string>();
        var stack = new Stack<List<string>>();
        foreach (var line in unfolded.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("BEGIN:", StringComparison.Ordinal))
            {
                stack.Push([line]);
            }
            else if (line.StartsWith("END:", StringComparison.Ordinal))
            {
                var lines = stack.Pop();
                result.Add(string.Join("|", lines.Order(StringComparer.Ordinal)));
            }
            else if (!line.StartsWith("TZNAME:", StringComparison.Ordinal))
            {
                stack.Peek().Add(line);
            }
        }

        return result;
    }
}
