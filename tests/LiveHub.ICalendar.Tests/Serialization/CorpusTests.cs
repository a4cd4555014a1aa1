using LiveHub.ICalendar.Recurrence;
using LiveHub.ICalendar.Serialization;

namespace LiveHub.ICalendar.Tests.Serialization;

/// <summary>Hand-written files shaped like real exports and real failures (see Corpus/).</summary>
public sealed class CorpusTests
{
    private static readonly string CorpusDirectory = Path.Combine(AppContext.BaseDirectory, "Corpus");

    private static byte[] Bytes(string name) => File.ReadAllBytes(Path.Combine(CorpusDirectory, name));

    private static CalendarReadResult Read(string name) => new CalendarReader().Read(Bytes(name));

    public static TheoryData<string> AllFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(CorpusDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            data.Add(file!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllFiles))]
    public void EveryFileEitherParsesOrFailsWithALineNumberedParseError(string name)
    {
        try
        {
            var result = Read(name);
            Assert.NotEmpty(result.Calendars);
            Assert.All(result.Warnings, w => Assert.True(w.LineNumber > 0, w.Message));
        }
        catch (CalendarParseException error)
        {
            Assert.DoesNotContain("unexpected error", error.Reason, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("lf-only.ics")]
    [InlineData("cr-only.ics")]
    [InlineData("bom.ics")]
    [InlineData("tab-folds.ics")]
    [InlineData("blank-lines-and-leading-space.ics")]
    public void LineEndingAndFoldingVariantsParseCleanly(string name)
    {
        var result = Read(name);

        Assert.Empty(result.Warnings);
        var e = result.Calendars.Single().Events.Single();
        Assert.Equal("simple-1@example.com", e.Uid);
        Assert.Equal("Café ☕ meetup", e.Summary);
        Assert.Equal(CalDateTime.FromUtc(SampleFeeds.Utc(2026, 3, 1, 10)), e.Start);
    }

    [Fact]
    public void FoldInsideAUtf8SequenceIsRestoredBecauseUnfoldingHappensOnBytes()
    {
        var result = Read("fold-inside-utf8.ics");

        Assert.Empty(result.Warnings);
        Assert.Equal("Café ☕ meetup", result.Calendars[0].Events[0].Summary);
    }

    [Fact]
    public void Latin1FileFallsBackWithAWarning()
    {
        var result = Read("latin1.ics");

        Assert.Equal("Café meetup", result.Calendars[0].Events[0].Summary);
        Assert.Contains(result.Warnings, w => w.LineNumber == 9 && w.Message.Contains("Windows-1252", StringComparison.Ordinal));
    }

    [Fact]
    public void LowercaseNamesAreAccepted()
    {
        var e = Read("lowercase.ics").Calendars[0].Events.Single();

        Assert.Equal("lower-1", e.Uid);
        Assert.Equal(CalDateTime.FromUtc(SampleFeeds.Utc(2026, 3, 1, 10)), e.Start);
    }

    [Fact]
    public void GoogleExportParsesWithOverrideAndExpandsInBerlinTime()
    {
        var result = Read("google-export.ics");
        var calendar = result.Calendars.Single();

        Assert.Empty(result.Warnings);
        Assert.Equal("Team calendar", calendar.Name);
        Assert.Equal("Europe/Berlin", calendar.TimeZoneId);
        Assert.Equal(2, calendar.Events.Count);
        var master = calendar.Events[0];
        Assert.Equal("Daily standup\nAgenda: blockers, plans", master.Description);
        Assert.Equal(string.Empty, master.Location);
        Assert.Equal("ATTENDEE", master.Properties.Single().Name);
        Assert.Equal("Ana Liu", master.Properties.Single().GetParameter("CN"));
        Assert.Equal("VALARM", master.Components.Single().Name);

        var occurrences = calendar.GetOccurrences(SampleFeeds.Utc(2026, 1, 1), SampleFeeds.Utc(2026, 3, 1));

        Assert.Equal(
            [SampleFeeds.Utc(2026, 1, 5, 8, 30), SampleFeeds.Utc(2026, 1, 12, 10), SampleFeeds.Utc(2026, 1, 26, 8, 30), SampleFeeds.Utc(2026, 2, 2, 8, 30)],
            occurrences.Select(o => o.StartUtc));
        Assert.Equal("Standup (moved)", occurrences[1].Source.Summary);
    }

    [Fact]
    public void OutlookExportResolvesWindowsAndCustomizedZones()
    {
        var result = Read("outlook-windows-tzid.ics");
        var calendar = result.Calendars.Single();
        var zones = calendar.CreateTimeZoneResolver();

        Assert.Empty(result.Warnings);
        Assert.Equal(2, calendar.TimeZones.Count);
        Assert.Equal(new DateTime(1601, 1, 1, 3, 0, 0), calendar.TimeZones[0].Observances[0].Start);
        var review = calendar.Events[0];
        Assert.StartsWith("040000008200E00074C5B7101A82E008", review.Uid, StringComparison.Ordinal);
        Assert.Equal("W. Europe Standard Time", review.Start!.Value.TzId);
        Assert.Equal(SampleFeeds.Utc(2026, 7, 15, 12), review.Start.Value.ToUtc(zones));
        Assert.Equal("Quartalsreview", review.Summary);
        Assert.Equal(SampleFeeds.Utc(2026, 3, 10, 12), calendar.Events[1].Start!.Value.ToUtc(zones));
        Assert.Equal("Europe/London", calendar.Events[2].Start!.Value.TzId);
        Assert.Equal(SampleFeeds.Utc(2026, 6, 10, 9), calendar.Events[2].Start!.Value.ToUtc(zones));
    }

    [Fact]
    public void AppleExportKeepsStructuredLocationParameters()
    {
        var result = Read("apple-export.ics");
        var e = result.Calendars.Single().Events.Single();

        Assert.Empty(result.Warnings);
        Assert.Equal("Javits Center\n429 11th Ave, New York, NY 10001", e.Location);
        var structured = e.Properties.Single(p => p.Name == "X-APPLE-STRUCTURED-LOCATION");
        Assert.Equal("429 11th Ave, New York, NY 10001", structured.GetParameter("X-ADDRESS"));
        Assert.Equal("Javits Center: Hall A; North", structured.GetParameter("X-TITLE"));
        Assert.Equal("geo:40.757,-74.002", structured.Value);
        Assert.Equal(new Uri("https://devconf.example.org/nyc"), e.Url);
        Assert.Equal(SampleFeeds.Utc(2026, 9, 15, 13), e.Start!.Value.ToUtc(result.Calendars[0].CreateTimeZoneResolver()));
    }

    [Fact]
    public void QuotedParametersAndCaretEncodingAreDecoded()
    {
        var e = Read("quoted-params.ics").Calendars[0].Events.Single();

        Assert.Equal("Doe, Jane; PhD: CEO", e.Organizer!.CommonName);
        var attendee = e.Properties.Single();
        Assert.Equal("George Herman \"Babe\" Ruth", attendee.GetParameter("CN"));
        Assert.Equal("line1\nline2 ^ caret", attendee.GetParameter("X-NOTE"));
        Assert.Equal(new Conference("tel:+1-555-0100", ["PHONE", "MODERATOR"], "Dial-in: +1 555 0100, PIN 42"), e.Conferences.Single());
    }

    [Theory]
    [InlineData("html-error-page.ics", 1, "no BEGIN:VCALENDAR")]
    [InlineData("garbage.ics", 1, "")]
    [InlineData("empty.ics", 0, "input is empty")]
    public void NonCalendarsFailWithAParseError(string name, int line, string reason)
    {
        var error = Assert.Throws<CalendarParseException>(() => Read(name));

        Assert.Equal(line, error.LineNumber);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("html-preamble.ics", 1, "not an iCalendar content line")]
    [InlineData("unclosed-vevent.ics", 4, "BEGIN:VEVENT is never closed")]
    [InlineData("truncated.ics", 4, "BEGIN:VEVENT is never closed")]
    [InlineData("stray-end.ics", 4, "END:VTODO without a matching BEGIN")]
    [InlineData("missing-version.ics", 1, "no VERSION")]
    [InlineData("unterminated-quote.ics", 9, "unterminated quoted value")]
    [InlineData("utc-offset-suffix.ics", 7, "UTC offset suffix")]
    [InlineData("unknown-tzid.ics", 7, "unknown TZID")]
    [InlineData("no-vcalendar.ics", 1, "outside VCALENDAR")]
    [InlineData("duplicate-uid.ics", 11, "duplicate UID")]
    [InlineData("latin1.ics", 9, "not valid UTF-8")]
    public void TolerableProblemsGiveALineNumberedWarningAndFailInStrictMode(string name, int line, string message)
    {
        var result = Read(name);
        Assert.Contains(result.Warnings, w => w.LineNumber == line && w.Message.Contains(message, StringComparison.Ordinal));

        var error = Assert.Throws<CalendarParseException>(() => new CalendarReader(new CalendarReaderOptions { Strict = true }).Read(Bytes(name)));
        Assert.True(error.LineNumber > 0);
    }

    [Fact]
    public void BadValuesAreReportedOnTheirOwnLines()
    {
        var result = Read("bad-values.ics");

        Assert.Equal([7, 8, 9, 10, 11, 12], result.Warnings.Select(w => w.LineNumber).Distinct().Where(l => l > 4).Order());
        var e = result.Calendars[0].Events.Single();
        Assert.Null(e.Start);
        Assert.Null(e.Geo);
        Assert.Equal("Bad values", e.Summary);
    }

    [Fact]
    public void DuplicateUidKeepsHighestSequenceThenLatestStamp()
    {
        var e = Read("duplicate-uid.ics").Calendars[0].Events.Single();

        Assert.Equal("Second revision", e.Summary);
    }

    [Fact]
    public void MultipleCalendarsAreAllReturned() =>
        Assert.Equal(["simple-1@example.com", "second@example.com"], Read("multiple-calendars.ics").Calendars.Select(c => c.Events.Single().Uid));

    [Fact]
    public void RruleWithTrailingSemicolonExpands()
    {
        var calendar = Read("rrule-trailing-semicolon.ics").Calendars.Single();

        Assert.Equal(3, calendar.GetOccurrences(SampleFeeds.Utc(2026, 1, 1), SampleFeeds.Utc(2027, 1, 1)).Count);
    }

    [Fact]
    public void VTimeZoneStartingInYearOneEvaluates()
    {
        var calendar = Read("vtimezone-year-0001.ics").Calendars.Single();

        Assert.Equal(SampleFeeds.Utc(2026, 3, 1, 9), calendar.Events[0].Start!.Value.ToUtc(calendar.CreateTimeZoneResolver()));
    }

    [Fact]
    public void DateWithoutValueDateAndBothEndAndDuration()
    {
        var result = Read("date-without-value-date.ics");
        var e = result.Calendars[0].Events.Single();

        Assert.Equal(new CalDateTime(2026, 3, 1), e.Start);
        Assert.Equal(new CalDateTime(2026, 3, 3), e.End);
        Assert.Null(e.Duration);
        Assert.Contains(result.Warnings, w => w.Message.Contains("both DTEND and DURATION", StringComparison.Ordinal));
    }

    [Fact]
    public void SeededMutationsNeverEscapeAsAnythingButParseErrors()
    {
        var random = new Random(5545);
        var files = Directory.GetFiles(CorpusDirectory).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).Where(b => b.Length > 0).ToList();
        var options = new EvaluationOptions { MaxIncrements = 5_000, MaxOccurrences = 500 };
        for (var i = 0; i < 500; i++)
        {
            var mutated = Mutate(random, files[i % files.Count]);
            try
            {
                foreach (var calendar in new CalendarReader().Read(mutated).Calendars)
                {
                    var zones = calendar.CreateTimeZoneResolver();
                    foreach (var e in calendar.Events)
                    {
                        _ = e.Start?.ToUtc(zones);
                    }

                    calendar.GetOccurrences(SampleFeeds.Utc(2025, 1, 1), SampleFeeds.Utc(2027, 1, 1), options);
                    new CalendarSerializer().SerializeToUtf8Bytes(calendar);
                }
            }
            catch (CalendarParseException error)
            {
                Assert.False(error.Reason.StartsWith("unexpected error", StringComparison.Ordinal), $"case {i}: {error.Message}\n{error.InnerException}");
            }
            catch (EvaluationLimitExceededException)
            {
                // A mutated RRULE may legitimately hit the expansion limits.
            }
        }
    }

    private static byte[] Mutate(Random random, byte[] source)
    {
        var bytes = source.ToList();
        var operations = random.Next(1, 4);
        for (var op = 0; op < operations && bytes.Count > 0; op++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0: bytes.RemoveRange(at, Math.Min(random.Next(1, 40), bytes.Count - at)); break;
                case 1: bytes.Insert(at, (byte)random.Next(256)); break;
                case 2: bytes.InsertRange(at, "\r\n ;:,\"=\\^"u8.ToArray().OrderBy(_ => random.Next()).Take(random.Next(1, 5))); break;
                case 3: bytes[at] = (byte)random.Next(256); break;
                case 4: bytes.RemoveRange(at, bytes.Count - at); break;
                case 5: bytes.InsertRange(at, bytes.GetRange(at, Math.Min(80, bytes.Count - at))); break;
                default:
                    var digits = "0123456789-+TZ"u8;
                    bytes[at] = digits[random.Next(digits.Length)];
                    break;
            }
        }

        return [.. bytes];
    }
}
