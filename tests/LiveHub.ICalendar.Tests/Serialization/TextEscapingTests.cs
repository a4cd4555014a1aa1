using LiveHub.ICalendar.Serialization;

namespace LiveHub.ICalendar.Tests.Serialization;

public sealed class TextEscapingTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData(@"a\b", @"a\\b")]
    [InlineData("a;b,c", @"a\;b\,c")]
    [InlineData("line1\nline2\r\nline3\rline4", @"line1\nline2\nline3\nline4")]
    [InlineData("time: 10:00", "time: 10:00")]
    [InlineData("tab\tkept, bell\u0007 and nul\0 dropped\u007F", "tab\tkept\\, bell and nul dropped")]
    [InlineData(@"\n literal", @"\\n literal")]
    public void EscapesTextPerRfc5545(string text, string expected) =>
        Assert.Equal(expected, TextEscaping.EscapeText(text));

    [Fact]
    public void UnescapeAcceptsUpperCaseNAndLenientEscapes() =>
        Assert.Equal("a\nb\nc:d x\\", TextEscaping.UnescapeText(@"a\nb\Nc\:d \x\"));

    [Fact]
    public void RandomTextRoundTripsThroughEscaping()
    {
        var random = new Random(42);
        const string alphabet = ",;:\"^\\\nab é🦀 ";
        for (var i = 0; i < 500; i++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(0, 30)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            text = text.Replace("\uD83E", string.Empty, StringComparison.Ordinal);
            var escaped = TextEscaping.EscapeText(text);

            Assert.DoesNotContain('\n', escaped);
            Assert.Equal(text, TextEscaping.UnescapeText(escaped));
        }
    }

    [Fact]
    public void CategoriesSplitOnlyOnUnescapedCommas() =>
        Assert.Equal(["Meetup", "Rust, .NET", @"a\b"], TextEscaping.SplitTextList(@"Meetup,Rust\, .NET,a\\b"));

    [Theory]
    [InlineData("Example Events, London", "\"Example Events, London\"")]
    [InlineData("George Herman \"Babe\" Ruth", "George Herman ^'Babe^' Ruth")]
    [InlineData("a^b", "a^^b")]
    [InlineData("line1\nline2", "line1^nline2")]
    [InlineData("Join online: video", "\"Join online: video\"")]
    [InlineData("x;y", "\"x;y\"")]
    [InlineData("plain", "plain")]
    public void EncodesParameterValuesWithCaretsThenQuotes(string value, string expected) =>
        Assert.Equal(expected, TextEscaping.EncodeParameterValue(value));

    [Fact]
    public void RandomParameterValuesRoundTripThroughTheReader()
    {
        var random = new Random(7);
        const string alphabet = ",;:\"^\\\nab é🦀 '";
        for (var i = 0; i < 300; i++)
        {
            var value = new string([.. Enumerable.Range(0, random.Next(1, 25)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            value = value.Replace("\uD83E", string.Empty, StringComparison.Ordinal);
            var second = "v2," + value;
            var line = $"X-TEST;X-P={TextEscaping.EncodeParameterValue(value)},{TextEscaping.EncodeParameterValue(second)}:value";

            var parsed = ContentLineParser.TryParse(new LogicalLine(1, line), out var error);

            Assert.True(parsed is not null, error);
            Assert.Equal([value, second], parsed!.Parameters.Single().Values);
            Assert.Equal("value", parsed.Value);
        }
    }

    [Fact]
    public void MultiValuedParameterIsWrittenWithEachValueQuotedSeparately()
    {
        var calendar = new Calendar();
        var e = new CalendarEvent { Uid = "u", DtStamp = SampleFeeds.Utc(2026, 1, 1) };
        e.Conferences.Add(new Conference("https://x.example/j", ["AUDIO", "a,b"], "L"));
        calendar.Events.Add(e);

        var text = new CalendarSerializer().SerializeToString(calendar);

        Assert.Contains("CONFERENCE;VALUE=URI;FEATURE=AUDIO,\"a,b\";LABEL=L:https://x.example/j\r\n", text, StringComparison.Ordinal);
    }
}
