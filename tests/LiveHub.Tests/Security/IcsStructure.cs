using System.Text;
using LiveHub.ICalendar.Serialization;
using ICal = LiveHub.ICalendar;

namespace LiveHub.Tests.Security;

/// <summary>
/// Checks a served .ics at the byte level: every line ends in CRLF, no physical line is over 75 octets, and after
/// unfolding every content line is a property this app writes for the component it is in. A value that managed to
/// start a line of its own (a new property or component) fails here, whatever a lenient reader would make of it.
/// </summary>
public static class IcsStructure
{
    private static readonly Dictionary<string, HashSet<string>> PropertiesOf = new(StringComparer.Ordinal)
    {
        ["VCALENDAR"] = ["VERSION", "PRODID", "CALSCALE", "METHOD", "NAME", "X-WR-CALNAME", "DESCRIPTION", "X-WR-CALDESC", "X-WR-TIMEZONE",
            "REFRESH-INTERVAL", "X-PUBLISHED-TTL", "SOURCE", "URL", "COLOR", "LAST-MODIFIED"],
        ["VTIMEZONE"] = ["TZID", "X-LIC-LOCATION", "LAST-MODIFIED", "TZURL"],
        ["STANDARD"] = ["TZOFFSETFROM", "TZOFFSETTO", "TZNAME", "DTSTART", "RRULE", "RDATE"],
        ["DAYLIGHT"] = ["TZOFFSETFROM", "TZOFFSETTO", "TZNAME", "DTSTART", "RRULE", "RDATE"],
        ["VEVENT"] = ["UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "LOCATION", "GEO", "URL", "CONFERENCE", "CATEGORIES",
            "STATUS", "SEQUENCE", "CREATED", "LAST-MODIFIED", "TRANSP", "CLASS", "RRULE", "EXDATE", "RECURRENCE-ID"],
    };

    private static readonly Dictionary<string, string?> ParentOf = new(StringComparer.Ordinal)
    {
        ["VCALENDAR"] = null,
        ["VTIMEZONE"] = "VCALENDAR",
        ["STANDARD"] = "VTIMEZONE",
        ["DAYLIGHT"] = "VTIMEZONE",
        ["VEVENT"] = "VCALENDAR",
    };

    /// <summary>Properties that may appear once per component: a second one would be injected.</summary>
    private static readonly HashSet<string> Single = new(StringComparer.Ordinal) { "UID", "SUMMARY", "DESCRIPTION", "LOCATION", "DTSTART", "DTEND", "URL", "STATUS", "NAME", "X-WR-CALNAME", "RRULE", "RECURRENCE-ID" };

    /// <returns>The calendar as the project's strict reader sees it.</returns>
    public static ICal.Calendar AssertWellFormed(byte[] bytes, string where, int expectedEvents)
    {
        var text = Inertness.StrictUtf8(bytes);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\r')
            {
                Assert.True(i + 1 < text.Length && text[i + 1] == '\n', $"{where}: a bare CR at offset {i}");
            }
            else if (text[i] == '\n')
            {
                Assert.True(i > 0 && text[i - 1] == '\r', $"{where}: a bare LF at offset {i}");
            }
        }

        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        var physical = text[..^2].Split("\r\n");
        foreach (var line in physical)
        {
            Assert.True(Encoding.UTF8.GetByteCount(line) <= ContentLineFolding.MaxLineOctets, $"{where}: a line of {Encoding.UTF8.GetByteCount(line)} octets: {Inertness.Excerpt(line)}");
            Assert.False(line.Length == 0, $"{where}: an empty line");
        }

        var logical = new List<string>();
        foreach (var line in physical)
        {
            if (line[0] is ' ' or '\t')
            {
                Assert.True(logical.Count > 0, $"{where}: the first line is a continuation");
                logical[^1] += line[1..];
            }
            else
            {
                logical.Add(line);
            }
        }

        var stack = new Stack<(string Name, Dictionary<string, int> Seen)>();
        var events = 0;
        var calendars = 0;
        foreach (var line in logical)
        {
            var nameEnd = line.IndexOfAny([';', ':']);
            Assert.True(nameEnd > 0, $"{where}: not a content line: {Inertness.Excerpt(line)}");
            var name = line[..nameEnd];
            Assert.True(name.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '-'), $"{where}: bad property name '{name}'");
            Assert.True(line.Contains(':', StringComparison.Ordinal), $"{where}: no value in: {Inertness.Excerpt(line)}");
            var value = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..];
            if (name == "BEGIN")
            {
                Assert.True(ParentOf.TryGetValue(value, out var parent), $"{where}: BEGIN:{Inertness.Excerpt(value)} is not a component this app writes");
                Assert.True(parent == (stack.Count == 0 ? null : stack.Peek().Name), $"{where}: BEGIN:{value} inside {(stack.Count == 0 ? "nothing" : stack.Peek().Name)}");
                stack.Push((value, new Dictionary<string, int>(StringComparer.Ordinal)));
                events += value == "VEVENT" ? 1 : 0;
                calendars += value == "VCALENDAR" ? 1 : 0;
                continue;
            }

            if (name == "END")
            {
                Assert.True(stack.Count > 0 && stack.Peek().Name == value, $"{where}: END:{Inertness.Excerpt(value)} does not close {(stack.Count == 0 ? "anything" : stack.Peek().Name)}");
                stack.Pop();
                continue;
            }

            Assert.True(stack.Count > 0, $"{where}: a property outside any component: {Inertness.Excerpt(line)}");
            var (component, seen) = stack.Peek();
            Assert.True(PropertiesOf[component].Contains(name), $"{where}: '{name}' is not a property this app writes in {component}: {Inertness.Excerpt(line)}");
            seen[name] = seen.GetValueOrDefault(name) + 1;
            Assert.True(!Single.Contains(name) || seen[name] == 1, $"{where}: a second {name} in one {component}");
        }

        Assert.Empty(stack);
        Assert.Equal(1, calendars);
        Assert.True(expectedEvents == events, $"{where}: {events} VEVENTs, expected {expectedEvents}");

        var read = new CalendarReader(new CalendarReaderOptions { Strict = true }).Read(bytes);
        Assert.Empty(read.Warnings);
        var calendar = Assert.Single(read.Calendars);
        Assert.Equal(expectedEvents, calendar.Events.Count);
        return calendar;
    }
}
