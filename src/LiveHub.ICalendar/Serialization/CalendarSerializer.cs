using System.Text;
using LiveHub.ICalendar.TimeZones;

namespace LiveHub.ICalendar.Serialization;

/// <summary>
/// Writes a <see cref="Calendar"/> as RFC 5545 text: CRLF line ends, lines folded at 75 UTF-8 octets, TEXT escaped,
/// parameters caret-encoded and quoted, a fixed property order, culture-invariant, UTF-8 without BOM. The same
/// model always gives the same bytes.
/// </summary>
public sealed class CalendarSerializer
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public string SerializeToString(Calendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        var writer = new LineWriter();
        WriteCalendar(writer, calendar);
        return writer.ToString();
    }

    public byte[] SerializeToUtf8Bytes(Calendar calendar) => Utf8NoBom.GetBytes(SerializeToString(calendar));

    public void Serialize(Calendar calendar, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(SerializeToUtf8Bytes(calendar));
    }

    private static void WriteCalendar(LineWriter w, Calendar c)
    {
        w.Line("BEGIN", "VCALENDAR");
        w.Line("VERSION", Raw(c.Version));
        w.Text("PRODID", c.ProductId);
        w.Line("CALSCALE", Raw(c.Scale));
        w.Line("METHOD", Raw(c.Method));
        w.Text("NAME" + Parameter("LANGUAGE", c.Language), c.Name);
        w.Text("X-WR-CALNAME", c.Name);
        w.Text("DESCRIPTION" + Parameter("LANGUAGE", c.Language), c.Description);
        w.Text("X-WR-CALDESC", c.Description);
        w.Text("X-WR-TIMEZONE", c.TimeZoneId);
        if (c.RefreshInterval is { } refresh)
        {
            w.Line("REFRESH-INTERVAL;VALUE=DURATION", ValueFormats.FormatDuration(refresh));
        }

        if (c.PublishedTtl is { } ttl)
        {
            w.Line("X-PUBLISHED-TTL", ValueFormats.FormatDuration(ttl));
        }

        if (c.Source is not null)
        {
            w.Line("SOURCE;VALUE=URI", Raw(c.Source.OriginalString));
        }

        w.Line("URL", Raw(c.Url?.OriginalString));
        w.Line("COLOR", Raw(c.Color));
        w.Utc("LAST-MODIFIED", c.LastModified);
        WriteProperties(w, c.Properties);
        foreach (var zone in c.TimeZones)
        {
            WriteTimeZone(w, zone);
        }

        foreach (var calendarEvent in c.Events)
        {
            WriteEvent(w, calendarEvent);
        }

        WriteComponents(w, c.Components);
        w.Line("END", "VCALENDAR");
    }

    private static void WriteEvent(LineWriter w, CalendarEvent e)
    {
        w.Line("BEGIN", "VEVENT");
        w.Text("UID", e.Uid);
        w.Utc("DTSTAMP", e.DtStamp ?? e.LastModified);
        w.Date("RECURRENCE-ID", e.RecurrenceId);
        w.Date("DTSTART", e.Start);
        w.Date("DTEND", e.End);
        if (e.Duration is { } duration)
        {
            w.Line("DURATION", ValueFormats.FormatDuration(duration));
        }

        foreach (var rule in e.RecurrenceRules)
        {
            w.Line("RRULE", Raw(rule.ToString()));
        }

        w.DateList("RDATE", e.RecurrenceDates);
        w.DateList("EXDATE", e.ExceptionDates);
        w.Text("SUMMARY" + Parameter("LANGUAGE", e.SummaryLanguage), e.Summary);
        w.Text("DESCRIPTION" + Parameter("LANGUAGE", e.DescriptionLanguage), e.Description);
        w.Text("LOCATION", e.Location);
        if (e.Geo is { } geo)
        {
            w.Line("GEO", ValueFormats.FormatGeo(geo.Latitude, geo.Longitude));
        }

        w.Line("URL", Raw(e.Url?.OriginalString));
        if (e.Organizer is { } organizer)
        {
            w.Line("ORGANIZER" + Parameter("CN", organizer.CommonName), Raw(organizer.Address));
        }

        foreach (var conference in e.Conferences)
        {
            var name = "CONFERENCE;VALUE=URI" + Parameter("FEATURE", [.. conference.Features]) + Parameter("LABEL", conference.Label);
            w.Line(name, Raw(conference.Uri));
        }

        if (e.Categories.Count > 0)
        {
            w.Line("CATEGORIES", string.Join(',', e.Categories.Select(TextEscaping.EscapeText)));
        }

        w.Line("STATUS", e.Status?.ToString().ToUpperInvariant());
        w.Line("SEQUENCE", e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.Utc("CREATED", e.Created);
        w.Utc("LAST-MODIFIED", e.LastModified);
        w.Line("TRANSP", e.Transparency?.ToString().ToUpperInvariant());
        w.Line("CLASS", Raw(e.Class));
        WriteProperties(w, e.Properties);
        WriteComponents(w, e.Components);
        w.Line("END", "VEVENT");
    }

    private static void WriteTimeZone(LineWriter w, VTimeZone zone)
    {
        w.Line("BEGIN", "VTIMEZONE");
        w.Text("TZID", zone.TzId);
        w.Text("X-LIC-LOCATION", zone.Location);
        WriteProperties(w, zone.Properties);
        foreach (var observance in zone.Observances)
        {
            var kind = observance.Kind == ObservanceKind.Daylight ? "DAYLIGHT" : "STANDARD";
            w.Line("BEGIN", kind);
            w.Line("TZOFFSETFROM", ValueFormats.FormatOffset(observance.OffsetFrom));
            w.Line("TZOFFSETTO", ValueFormats.FormatOffset(observance.OffsetTo));
            w.Text("TZNAME", observance.Name);
            w.Line("DTSTART", ValueFormats.FormatLocal(observance.Start));
            if (observance.RecurrenceRule is { } rule)
            {
                w.Line("RRULE", Raw(rule.ToString()));
            }

            if (observance.RecurrenceDates.Count > 0)
            {
                w.Line("RDATE", string.Join(',', observance.RecurrenceDates.Select(ValueFormats.FormatLocal)));
            }

            WriteProperties(w, observance.Properties);
            w.Line("END", kind);
        }

        WriteComponents(w, zone.Components);
        w.Line("END", "VTIMEZONE");
    }

    private static void WriteProperties(LineWriter w, List<CalendarProperty> properties)
    {
        foreach (var property in properties)
        {
            var name = new StringBuilder(property.Name);
            foreach (var parameter in property.Parameters)
            {
                name.Append(Parameter(parameter.Name, [.. parameter.Values]));
            }

            w.Line(name.ToString(), Raw(property.Value));
        }
    }

    private static void WriteComponents(LineWriter w, List<CalendarComponent> components)
    {
        foreach (var component in components)
        {
            w.Line("BEGIN", component.Name);
            WriteProperties(w, component.Properties);
            WriteComponents(w, component.Components);
            w.Line("END", component.Name);
        }
    }

    private static string Parameter(string name, params string?[] values)
    {
        var present = values.Where(v => v is not null).ToList();
        return present.Count == 0 ? string.Empty : $";{name}={string.Join(',', present.Select(v => TextEscaping.EncodeParameterValue(v!)))}";
    }

    /// <summary>Non-TEXT values are written as they are, minus control characters that would break the line.</summary>
    private static string? Raw(string? value)
    {
        if (value is null || !value.Any(c => (c < ' ' && c != '\t') || c == '\u007F'))
        {
            return value;
        }

        return new string([.. value.Where(c => (c >= ' ' || c == '\t') && c != '\u007F')]);
    }

    private sealed class LineWriter
    {
        private readonly StringBuilder _output = new(4096);

        public void Line(string nameAndParameters, string? value)
        {
            if (value is not null)
            {
                ContentLineFolding.AppendFolded(_output, string.Concat(nameAndParameters, ":", value));
            }
        }

        public void Text(string name, string? text)
        {
            if (text is not null)
            {
                Line(name, TextEscaping.EscapeText(text));
            }
        }

        public void Utc(string name, DateTime? instant)
        {
            if (instant is { } value)
            {
                Line(name, ValueFormats.FormatUtc(value));
            }
        }

        public void Date(string name, CalDateTime? value)
        {
            if (value is { } date)
            {
                Line(name + DateParameters(date), ValueFormats.FormatValue(date));
            }
        }

        /// <summary>EXDATE/RDATE: one line per run of values sharing kind and TZID.</summary>
        public void DateList(string name, List<CalDateTime> values)
        {
            foreach (var group in values.GroupBy(v => (v.Kind, v.TzId)))
            {
                Line(name + DateParameters(group.First()), string.Join(',', group.Select(ValueFormats.FormatValue)));
            }
        }

        private static string DateParameters(CalDateTime value) =>
            !value.HasTime ? ";VALUE=DATE"
            : value.TzId is { } tzId ? Parameter("TZID", tzId)
            : string.Empty;

        public override string ToString() => _output.ToString();
    }
}
