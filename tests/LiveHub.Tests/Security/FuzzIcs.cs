using System.Text;

namespace LiveHub.Tests.Security;

/// <summary>
/// Valid iCalendar samples and a structure-aware mutator for them. The byte-level mutations of
/// LiveHub.ICalendar.Tests' CorpusTests are one operator here among line-level ones: duplicated, deleted and
/// inserted properties, huge values, bad dates/durations/RRULEs, invalid UTF-8, unbalanced BEGIN/END, odd folding.
/// </summary>
public static class FuzzIcs
{
    private static readonly string[] Names =
    [
        "DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID", "SUMMARY", "DESCRIPTION", "LOCATION",
        "GEO", "UID", "SEQUENCE", "DTSTAMP", "STATUS", "CATEGORIES", "ORGANIZER", "CONFERENCE", "TZID", "TZOFFSETFROM",
        "TZOFFSETTO", "X-WR-TIMEZONE", "X-WR-CALNAME", "VERSION", "PRODID", "ATTENDEE", "URL", "CLASS", "TRANSP", "X-CUSTOM",
    ];

    private static readonly string[] BadDates =
    [
        "", "T", "99999999T999999Z", "20301301T000000", "20300230T250000", "20300101T000060Z", "00000000", "0001-01-01", "-20300101",
        "20300101T000000+0100", "2030", "20300101T", "20300101T00", "99991231T235959Z", "00010101T000000Z", "20300101T000000ZZ",
        "20300101,20300102", "\u00e9\u00e9\u00e9", "20300101T000000Z;junk", "1e9", "2147483647", "20300101T000000.123Z",
    ];

    private static readonly string[] BadDurations =
    [
        "", "P", "PT", "P-1D", "-P1D", "PT99999999999999H", "P1Y", "P1M", "P1W2D", "PT1H-30M", "P999999999W", "1H", "PT0S", "-PT1H", "P1DT", "PTH",
    ];

    private static readonly string[] BadRules =
    [
        "FREQ=SECONDLY", "FREQ=SECONDLY;COUNT=2000000000", "FREQ=MINUTELY;INTERVAL=1", "FREQ=YEARLY;BYMONTH=13", "FREQ=DAILY;INTERVAL=0",
        "FREQ=DAILY;INTERVAL=-5", "FREQ=WEEKLY;UNTIL=garbage", "FREQ=MONTHLY;BYDAY=99MO", "FREQ=MONTHLY;BYSETPOS=-400", "FREQ=YEARLY;BYYEARDAY=367",
        "FREQ=YEARLY;BYWEEKNO=54", "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=100000", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=", "COUNT=10",
        "FREQ=DAILY;COUNT=10;UNTIL=20300101T000000Z", "FREQ=HOURLY;BYHOUR=25", "FREQ=DAILY;BYSECOND=61;BYMINUTE=60", "FREQ=WEEKLY;WKST=XX;BYDAY=ZZ",
        "FREQ=DAILY;;;;", "FREQ=YEARLY;BYDAY=-53SU;BYWEEKNO=-53", "FREQ=DAILY;UNTIL=19000101", "FREQ=MONTHLY;BYDAY=1MO,2TU,3WE,4TH,5FR,-1SA,-5SU",
        "FREQ=SECONDLY;INTERVAL=2147483647", "FREQ=YEARLY;COUNT=-1", "FREQ=DAILY;BYMONTH=0", "X-NAME=1;FREQ=DAILY",
    ];

    private static readonly string[] Components = ["VCALENDAR", "VEVENT", "VTIMEZONE", "STANDARD", "DAYLIGHT", "VALARM", "VTODO", "VJOURNAL", "X-THING"];

    private static readonly byte[][] BadUtf8 =
    [
        [0xC3, 0x28], [0xFF], [0xFE, 0xFF], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0x00],
    ];

    /// <summary>A calendar with the properties the importer reads: zones, series, overrides, all-day, conference links.</summary>
    public static string Sample(DateTime today) => $"""
        BEGIN:VCALENDAR
        VERSION:2.0
        PRODID:-//Fuzz//Sample//EN
        X-WR-TIMEZONE:Europe/Berlin
        BEGIN:VTIMEZONE
        TZID:Custom/Zone
        BEGIN:STANDARD
        DTSTART:19701025T030000
        TZOFFSETFROM:+0200
        TZOFFSETTO:+0100
        RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
        END:STANDARD
        BEGIN:DAYLIGHT
        DTSTART:19700329T020000
        TZOFFSETFROM:+0100
        TZOFFSETTO:+0200
        RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
        END:DAYLIGHT
        END:VTIMEZONE
        BEGIN:VEVENT
        UID:fuzz-conf@example.com
        DTSTAMP:20300101T000000Z
        SEQUENCE:1
        DTSTART;TZID=Europe/London:20300709T183000
        DTEND;TZID=Europe/London:20300709T203000
        SUMMARY:Spring conference
        DESCRIPTION:Talks\, food\nand drinks.
        LOCATION:Example HQ\, 1 Old Street\, London
        GEO:51.525712;-0.087548
        CATEGORIES:Rust,.NET Core
        ORGANIZER;CN="Example Events, London":mailto:events@example.com
        STATUS:CONFIRMED
        END:VEVENT
        BEGIN:VEVENT
        UID:fuzz-webinar@example.com
        DTSTAMP:20300101T000000Z
        DTSTART;TZID=Custom/Zone:20300801T120000
        DURATION:PT1H30M
        SUMMARY:Webinar
        CONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO:https://meet.example.com/j/42
        STATUS:TENTATIVE
        END:VEVENT
        BEGIN:VEVENT
        UID:fuzz-allday@example.com
        DTSTAMP:20300101T000000Z
        DTSTART;VALUE=DATE:20300802
        DTEND;VALUE=DATE:20300804
        SUMMARY:Cancelled: Two-day workshop
        STATUS:CANCELLED
        LOCATION:https://online.example.org/room
        END:VEVENT
        BEGIN:VEVENT
        UID:fuzz-series@example.com
        DTSTAMP:20300101T000000Z
        DTSTART;TZID=Europe/London:{today.AddDays(3):yyyyMMdd}T190000
        DTEND;TZID=Europe/London:{today.AddDays(3):yyyyMMdd}T210000
        RRULE:FREQ=WEEKLY;COUNT=5;BYDAY=MO,TH
        EXDATE;TZID=Europe/London:{today.AddDays(10):yyyyMMdd}T190000
        SUMMARY:Pub quiz
        LOCATION:The Crown
        BEGIN:VALARM
        ACTION:DISPLAY
        TRIGGER:-PT15M
        DESCRIPTION:Reminder
        END:VALARM
        END:VEVENT
        BEGIN:VEVENT
        UID:fuzz-series@example.com
        RECURRENCE-ID;TZID=Europe/London:{today.AddDays(3):yyyyMMdd}T190000
        DTSTAMP:20300101T000000Z
        DTSTART;TZID=Europe/London:{today.AddDays(3):yyyyMMdd}T200000
        DTEND;TZID=Europe/London:{today.AddDays(3):yyyyMMdd}T220000
        SUMMARY:Pub quiz (late start)
        END:VEVENT
        END:VCALENDAR
        """.ReplaceLineEndings("\r\n");

    /// <summary>Valid .ics files to start from: the sample above and the reader's own corpus and golden files.</summary>
    public static List<byte[]> Seeds(DateTime today, params byte[][] more)
    {
        var root = RepositoryRoot();
        var files = new[] { "tests/LiveHub.ICalendar.Tests/Corpus", "tests/LiveHub.ICalendar.Tests/Golden" }
            .SelectMany(d => Directory.GetFiles(Path.Combine(root, d), "*.ics"))
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllBytes)
            .Where(b => b.Length > 0);
        return [Encoding.UTF8.GetBytes(Sample(today)), .. files, .. more];
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "LiveHub.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"LiveHub.sln not found above {AppContext.BaseDirectory}: the fuzz tests read the sample .ics files from the repository.");
    }

    /// <summary>One to three mutations of <paramref name="source"/>; <paramref name="description"/> says which.</summary>
    public static byte[] Mutate(Random random, byte[] source, out string description)
    {
        var bytes = source.ToList();
        var done = new List<string>();
        var operations = random.Next(1, 4);
        for (var op = 0; op < operations; op++)
        {
            done.Add(MutateOnce(random, bytes));
        }

        description = string.Join("; ", done);
        return [.. bytes];
    }

    private static string MutateOnce(Random random, List<byte> bytes)
    {
        var lines = SplitLines(bytes);
        var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
        switch (random.Next(20))
        {
            case 0:
                if (bytes.Count > 0)
                {
                    bytes[at] ^= (byte)(1 << random.Next(8));
                }

                return $"flip bit at {at}";
            case 1:
                bytes.RemoveRange(at, bytes.Count - at);
                return $"truncate at {at}";
            case 2:
            {
                var line = random.Next(lines.Count);
                var times = random.Next(1, 4) == 1 ? random.Next(2, 200) : 1;
                Replace(bytes, lines, line, string.Concat(Enumerable.Repeat(lines[line] + "\r\n", times + 1)));
                return $"duplicate line {line} x{times}";
            }

            case 3:
            {
                var line = random.Next(lines.Count);
                Replace(bytes, lines, line, "");
                return $"delete line {line}";
            }

            case 4:
            {
                var line = random.Next(lines.Count + 1);
                var property = $"{Pick(random, Names)}{RandomParameters(random)}:{RandomValue(random)}";
                Insert(bytes, lines, line, property);
                return $"insert '{Shorten(property)}' at line {line}";
            }

            case 5:
            {
                var line = random.Next(lines.Count);
                var size = random.Next(4) == 0 ? random.Next(100_000, 600_000) : random.Next(1_000, 20_000);
                var filler = random.Next(3) switch { 0 => "x", 1 => "\u00e9\u20ac", _ => "\\n\\," };
                var huge = new StringBuilder(lines[line]).Append(':');
                while (huge.Length < size)
                {
                    huge.Append(filler);
                }

                Replace(bytes, lines, line, huge + "\r\n");
                return $"huge value ({size} chars) on line {line}";
            }

            case 6:
                return ReplaceValue(random, bytes, lines, ["DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE", "DTSTAMP", "DUE"], BadDates, "bad date");
            case 7:
                return ReplaceValue(random, bytes, lines, ["DURATION", "TRIGGER"], BadDurations, "bad duration");
            case 8:
                return ReplaceValue(random, bytes, lines, ["RRULE"], BadRules, "bad RRULE");
            case 9:
            {
                var bad = BadUtf8[random.Next(BadUtf8.Length)];
                bytes.InsertRange(at, bad);
                return $"invalid UTF-8 {Convert.ToHexString(bad)} at {at}";
            }

            case 10:
            {
                var line = random.Next(lines.Count + 1);
                var depth = random.Next(3) == 0 ? random.Next(50, 3_000) : random.Next(1, 5);
                var component = Pick(random, Components);
                Insert(bytes, lines, line, string.Join("\r\n", Enumerable.Repeat($"BEGIN:{component}", depth)));
                return $"{depth} x BEGIN:{component} without END at line {line}";
            }

            case 11:
            {
                var line = random.Next(lines.Count + 1);
                var component = Pick(random, Components);
                Insert(bytes, lines, line, $"END:{component}");
                return $"stray END:{component} at line {line}";
            }

            case 12:
            {
                var text = Encoding.UTF8.GetString([.. bytes]);
                var (encoded, name) = random.Next(4) switch
                {
                    0 => (Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(text)).ToArray(), "UTF-16LE with BOM"),
                    1 => (Encoding.BigEndianUnicode.GetBytes(text), "UTF-16BE without BOM"),
                    2 => (Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetPreamble()).Concat(bytes).ToArray(), "double UTF-8 BOM"),
                    _ => (Encoding.UTF32.GetBytes(text), "UTF-32"),
                };
                bytes.Clear();
                bytes.AddRange(encoded);
                return name;
            }

            case 13:
            {
                var count = random.Next(1, 30);
                for (var i = 0; i < count && bytes.Count > 0; i++)
                {
                    bytes.InsertRange(random.Next(bytes.Count), random.Next(3) switch { 0 => "\r\n "u8.ToArray(), 1 => "\r\n\t"u8.ToArray(), _ => "\r\n"u8.ToArray() });
                }

                return $"{count} random folds/line breaks";
            }

            case 14:
            {
                var line = random.Next(lines.Count);
                var colon = lines[line].IndexOf(':', StringComparison.Ordinal);
                var parameter = Pick(random, [";TZID=Nowhere/Zone", ";TZID=\"unterminated", ";VALUE=DATE", ";VALUE=PERIOD", ";X=\"a\";Y=\"b", ";;;", ";CN=\"\"\"", ";TZID=", ";ENCODING=BASE64", ";RANGE=THISANDFUTURE", ";TZID=Custom/Zone"]);
                var changed = colon < 0 ? lines[line] + parameter : lines[line][..colon] + parameter + lines[line][colon..];
                Replace(bytes, lines, line, changed + "\r\n");
                return $"parameter '{parameter}' on line {line}";
            }

            case 15:
                return ReplaceValue(random, bytes, lines, ["TZOFFSETFROM", "TZOFFSETTO", "GEO", "SEQUENCE", "TZID"],
                    ["+9999", "-2400", "+0000", "", "abc", "91;181", "-91.5;-200", "1e400;1e400", "NaN;Infinity", "99999999999999999999", "-1", "+01:00", "\u00e9"], "bad value");
            case 16:
            {
                var text = Encoding.Latin1.GetString([.. bytes]);
                var (changed, name) = random.Next(3) switch
                {
                    0 => (text.Replace("\r\n", "\n", StringComparison.Ordinal), "LF line endings"),
                    1 => (text.Replace("\r\n", "\r", StringComparison.Ordinal), "CR line endings"),
                    _ => (text.Replace("\r\n", "\r\r\n", StringComparison.Ordinal), "CRCRLF line endings"),
                };
                bytes.Clear();
                bytes.AddRange(Encoding.Latin1.GetBytes(changed));
                return name;
            }

            case 17:
            {
                var count = random.Next(1, 20);
                for (var i = 0; i < count; i++)
                {
                    bytes.Insert(bytes.Count == 0 ? 0 : random.Next(bytes.Count), (byte)random.Next(0, 32));
                }

                return $"{count} control characters";
            }

            case 18:
            {
                // Many VEVENTs: the first one repeated with fresh UIDs.
                var text = Encoding.Latin1.GetString([.. bytes]);
                var begin = text.IndexOf("BEGIN:VEVENT", StringComparison.Ordinal);
                var end = begin < 0 ? -1 : text.IndexOf("END:VEVENT", begin, StringComparison.Ordinal);
                if (end < 0)
                {
                    return "no VEVENT to repeat";
                }

                var block = text[begin..(end + "END:VEVENT".Length)] + "\r\n";
                var copies = random.Next(16) == 0 ? random.Next(200, 2_100) : random.Next(2, 50);
                var many = new StringBuilder();
                for (var i = 0; i < copies; i++)
                {
                    many.Append(block.Replace("UID:", $"UID:copy{i}-", StringComparison.Ordinal));
                }

                bytes.InsertRange(begin, Encoding.Latin1.GetBytes(many.ToString()));
                return $"VEVENT repeated {copies} times";
            }

            default:
            {
                var count = random.Next(1, 8);
                for (var i = 0; i < count && bytes.Count > 0; i++)
                {
                    bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                }

                return $"{count} random bytes";
            }
        }
    }

    private static string ReplaceValue(Random random, List<byte> bytes, List<string> lines, string[] names, string[] values, string what)
    {
        var candidates = lines.Select((l, i) => (l, i)).Where(x => names.Any(n => x.l.StartsWith(n + ":", StringComparison.OrdinalIgnoreCase) || x.l.StartsWith(n + ";", StringComparison.OrdinalIgnoreCase))).ToList();
        var value = Pick(random, values);
        if (candidates.Count == 0)
        {
            var line = random.Next(lines.Count + 1);
            Insert(bytes, lines, line, $"{Pick(random, names)}:{value}");
            return $"{what}: inserted '{value}' at line {line}";
        }

        var (text, index) = candidates[random.Next(candidates.Count)];
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        Replace(bytes, lines, index, text[..(colon + 1)] + value + "\r\n");
        return $"{what}: '{Shorten(text)}' -> '{value}'";
    }

    private static string RandomParameters(Random random) => random.Next(4) switch
    {
        0 => "",
        1 => ";TZID=Europe/London",
        2 => ";VALUE=DATE",
        _ => $";X-P{random.Next(100)}=\"{RandomValue(random)}\"",
    };

    private static string RandomValue(Random random) => random.Next(10) switch
    {
        0 => Pick(random, BadDates),
        1 => Pick(random, BadDurations),
        2 => Pick(random, BadRules),
        3 => "",
        4 => new string('\\', random.Next(1, 5)) + "n,;:",
        5 => "\u202Eevil\u200B\u0000\uFEFF",
        6 => "20300101T100000Z",
        7 => random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        8 => "https://example.org/" + new string('a', random.Next(0, 3000)),
        _ => "mailto:someone@example.org",
    };

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";

    /// <summary>The file's lines (CRLF, LF or CR separated), read as Latin-1 so that any bytes survive a round trip.</summary>
    private static List<string> SplitLines(List<byte> bytes) =>
        [.. Encoding.Latin1.GetString([.. bytes]).Split(["\r\n", "\n", "\r"], StringSplitOptions.None)];

    private static void Replace(List<byte> bytes, List<string> lines, int index, string replacement)
    {
        var text = string.Join("\r\n", lines.Take(index)) + (index > 0 ? "\r\n" : "") + replacement + string.Join("\r\n", lines.Skip(index + 1));
        bytes.Clear();
        bytes.AddRange(EncodeMixed(text));
    }

    private static void Insert(List<byte> bytes, List<string> lines, int index, string line)
    {
        var all = lines.Take(index).Append(line).Concat(lines.Skip(index));
        bytes.Clear();
        bytes.AddRange(EncodeMixed(string.Join("\r\n", all)));
    }

    /// <summary>Existing lines are Latin-1 views of the original bytes; new text may hold any character and is written as UTF-8.</summary>
    private static byte[] EncodeMixed(string text)
    {
        var output = new List<byte>(text.Length);
        foreach (var c in text)
        {
            if (c <= 0xFF)
            {
                output.Add((byte)c);
            }
            else
            {
                output.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }

        return [.. output];
    }
}
