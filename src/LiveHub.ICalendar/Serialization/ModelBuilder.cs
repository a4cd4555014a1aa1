using System.Globalization;
using LiveHub.ICalendar.Recurrence;
using LiveHub.ICalendar.TimeZones;

namespace LiveHub.ICalendar.Serialization;

/// <summary>Maps raw components to the typed model, warning about every value it has to drop or repair.</summary>
internal sealed class ModelBuilder(Diagnostics diagnostics)
{
    private static readonly HashSet<string> SingleEventProperties =
    [
        "UID", "DTSTAMP", "DTSTART", "DTEND", "DURATION", "SUMMARY", "DESCRIPTION", "LOCATION", "GEO", "URL",
        "ORGANIZER", "STATUS", "SEQUENCE", "CREATED", "LAST-MODIFIED", "TRANSP", "CLASS", "RECURRENCE-ID",
    ];

    private TimeZoneResolver _zones = TimeZoneResolver.System;
    private HashSet<string> _unknownTzIds = new(StringComparer.Ordinal);

    public List<Calendar> Build(List<RawComponent> roots)
    {
        var calendars = new List<Calendar>();
        RawComponent? implicitCalendar = null;
        foreach (var root in roots)
        {
            if (root.Name == "VCALENDAR")
            {
                AddImplicit();
                calendars.Add(BuildCalendar(root, isImplicit: false));
                continue;
            }

            diagnostics.Warn(root.LineNumber, $"BEGIN:{root.Name} outside VCALENDAR; wrapped in a calendar");
            implicitCalendar ??= new RawComponent("VCALENDAR", root.LineNumber);
            implicitCalendar.Children.Add(root);
        }

        AddImplicit();
        return calendars;

        // Consecutive components outside any VCALENDAR form one calendar, built once when the run ends
        // (rebuilding it per component made a file of orphan VEVENTs quadratic to read).
        void AddImplicit()
        {
            if (implicitCalendar is not null)
            {
                calendars.Add(BuildCalendar(implicitCalendar, isImplicit: true));
                implicitCalendar = null;
            }
        }
    }

    private Calendar BuildCalendar(RawComponent raw, bool isImplicit)
    {
        var calendar = new Calendar { Scale = null };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? legacyName = null;
        string? legacyDescription = null;
        foreach (var property in raw.Properties)
        {
            diagnostics.CurrentLine = property.LineNumber;
            var value = property.Value;
            if (!seen.Add(property.Name) && property.Name is "VERSION" or "PRODID" or "CALSCALE" or "METHOD")
            {
                diagnostics.Warn(property.LineNumber, $"{property.Name} occurs more than once; the first is kept");
                continue;
            }

            switch (property.Name)
            {
                case "VERSION":
                    calendar.Version = value.Trim();
                    if (calendar.Version != "2.0")
                    {
                        diagnostics.Warn(property.LineNumber, $"VERSION is '{ValueFormats.Shorten(calendar.Version)}', not 2.0");
                    }

                    break;
                case "PRODID": calendar.ProductId = TextEscaping.UnescapeText(value); break;
                case "CALSCALE": calendar.Scale = value.Trim().ToUpperInvariant(); break;
                case "METHOD": calendar.Method = value.Trim().ToUpperInvariant(); break;
                case "NAME":
                    calendar.Name ??= TextEscaping.UnescapeText(value);
                    calendar.Language ??= property.GetParameter("LANGUAGE");
                    break;
                case "X-WR-CALNAME": legacyName ??= TextEscaping.UnescapeText(value); break;
                case "DESCRIPTION": calendar.Description ??= TextEscaping.UnescapeText(value); break;
                case "X-WR-CALDESC": legacyDescription ??= TextEscaping.UnescapeText(value); break;
                case "X-WR-TIMEZONE": calendar.TimeZoneId = TextEscaping.UnescapeText(value).Trim(); break;
                case "REFRESH-INTERVAL": calendar.RefreshInterval = ParseDuration(property) ?? calendar.RefreshInterval; break;
                case "X-PUBLISHED-TTL": calendar.PublishedTtl = ParseDuration(property) ?? calendar.PublishedTtl; break;
                case "SOURCE": calendar.Source = ParseUri(property, calendar.Properties) ?? calendar.Source; break;
                case "URL": calendar.Url = ParseUri(property, calendar.Properties) ?? calendar.Url; break;
                case "COLOR": calendar.Color = value.Trim(); break;
                case "LAST-MODIFIED": calendar.LastModified = ParseUtc(property) ?? calendar.LastModified; break;
                default: calendar.Properties.Add(property.ToProperty()); break;
            }
        }

        calendar.Name ??= legacyName;
        calendar.Description ??= legacyDescription;
        if (!isImplicit && !seen.Contains("VERSION"))
        {
            diagnostics.Warn(raw.LineNumber, "VCALENDAR has no VERSION");
        }

        if (!isImplicit && !seen.Contains("PRODID"))
        {
            diagnostics.Warn(raw.LineNumber, "VCALENDAR has no PRODID");
        }

        foreach (var child in raw.Children.Where(c => c.Name == "VTIMEZONE"))
        {
            if (BuildTimeZone(child) is { } zone)
            {
                calendar.TimeZones.Add(zone);
            }
        }

        _zones = new TimeZoneResolver(calendar.TimeZones);
        _unknownTzIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var child in raw.Children)
        {
            if (child.Name == "VEVENT")
            {
                calendar.Events.Add(BuildEvent(child));
            }
            else if (child.Name != "VTIMEZONE")
            {
                calendar.Components.Add(child.ToComponent());
            }
        }

        RemoveDuplicateUids(calendar);
        return calendar;
    }

    /// <summary>Several VEVENTs with one UID and no RECURRENCE-ID: highest SEQUENCE wins, then latest DTSTAMP.</summary>
    private void RemoveDuplicateUids(Calendar calendar)
    {
        var duplicates = calendar.Events
            .Where(e => e.RecurrenceId is null && e.Uid is not null)
            .GroupBy(e => e.Uid!, StringComparer.Ordinal)
            .Where(g => g.Count() > 1);
        foreach (var group in duplicates.ToList())
        {
            var winner = group.OrderByDescending(e => e.Sequence).ThenByDescending(e => e.DtStamp ?? DateTime.MinValue).First();
            foreach (var loser in group.Where(e => !ReferenceEquals(e, winner)))
            {
                diagnostics.Warn(loser.LineNumber, $"duplicate UID '{ValueFormats.Shorten(loser.Uid!)}'; the VEVENT on line {winner.LineNumber} (SEQUENCE {winner.Sequence}) wins");
                calendar.Events.Remove(loser);
            }
        }
    }

    private VTimeZone? BuildTimeZone(RawComponent raw)
    {
        var tzId = raw.Properties.FirstOrDefault(p => p.Name == "TZID") is { } tzIdLine ? TextEscaping.UnescapeText(tzIdLine.Value).Trim() : null;
        if (string.IsNullOrEmpty(tzId))
        {
            diagnostics.Warn(raw.LineNumber, "VTIMEZONE without TZID; ignored");
            return null;
        }

        var zone = new VTimeZone(tzId);
        foreach (var property in raw.Properties)
        {
            switch (property.Name)
            {
                case "TZID": break;
                case "X-LIC-LOCATION": zone.Location ??= TextEscaping.UnescapeText(property.Value).Trim(); break;
                default: zone.Properties.Add(property.ToProperty()); break;
            }
        }

        foreach (var child in raw.Children)
        {
            if (child.Name is "STANDARD" or "DAYLIGHT")
            {
                if (BuildObservance(child) is { } observance)
                {
                    zone.Observances.Add(observance);
                }
            }
            else
            {
                zone.Components.Add(child.ToComponent());
            }
        }

        if (zone.Observances.Count == 0)
        {
            diagnostics.Warn(raw.LineNumber, $"VTIMEZONE {ValueFormats.Shorten(tzId)} has no usable STANDARD or DAYLIGHT; system zone data is used if available");
        }

        return zone;
    }

    private TimeZoneObservance? BuildObservance(RawComponent raw)
    {
        var observance = new TimeZoneObservance { Kind = raw.Name == "DAYLIGHT" ? ObservanceKind.Daylight : ObservanceKind.Standard };
        DateTime? start = null;
        TimeSpan? from = null;
        TimeSpan? to = null;
        foreach (var property in raw.Properties)
        {
            diagnostics.CurrentLine = property.LineNumber;
            switch (property.Name)
            {
                case "DTSTART":
                    if (ValueFormats.TryParseDateOrDateTime(property.Value, null, out var value, out var error))
                    {
                        start = DateTime.SpecifyKind(value.Value, DateTimeKind.Unspecified);
                    }
                    else
                    {
                        diagnostics.Warn(property.LineNumber, $"DTSTART: {error}");
                    }

                    break;
                case "TZOFFSETFROM":
                case "TZOFFSETTO":
                    if (ValueFormats.TryParseOffset(property.Value, out var offset))
                    {
                        if (property.Name == "TZOFFSETFROM")
                        {
                            from = offset;
                        }
                        else
                        {
                            to = offset;
                        }
                    }
                    else
                    {
                        diagnostics.Warn(property.LineNumber, $"{property.Name} '{ValueFormats.Shorten(property.Value)}' is not ±hhmm[ss]");
                    }

                    break;
                case "TZNAME": observance.Name ??= TextEscaping.UnescapeText(property.Value); break;
                case "RRULE":
                    if (RecurrencePattern.TryParse(property.Value, out var rule, out var ruleError))
                    {
                        observance.RecurrenceRule ??= rule;
                    }
                    else
                    {
                        diagnostics.Warn(property.LineNumber, $"RRULE: {ruleError}; ignored");
                    }

                    break;
                case "RDATE":
                    foreach (var item in SplitDates(property))
                    {
                        if (ValueFormats.TryParseDateOrDateTime(item, null, out var date, out var dateError))
                        {
                            observance.RecurrenceDates.Add(DateTime.SpecifyKind(date.Value, DateTimeKind.Unspecified));
                        }
                        else
                        {
                            diagnostics.Warn(property.LineNumber, $"RDATE: {dateError}");
                        }
                    }

                    break;
                default: observance.Properties.Add(property.ToProperty()); break;
            }
        }

        if (start is null || to is null)
        {
            diagnostics.Warn(raw.LineNumber, $"{raw.Name} without {(start is null ? "DTSTART" : "TZOFFSETTO")}; ignored");
            return null;
        }

        if (from is null)
        {
            diagnostics.Warn(raw.LineNumber, $"{raw.Name} without TZOFFSETFROM; TZOFFSETTO used");
        }

        observance.Start = start.Value;
        observance.OffsetFrom = from ?? to.Value;
        observance.OffsetTo = to.Value;
        return observance;
    }

    private CalendarEvent BuildEvent(RawComponent raw)
    {
        var calendarEvent = new CalendarEvent { LineNumber = raw.LineNumber };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in raw.Properties)
        {
            diagnostics.CurrentLine = property.LineNumber;
            if (SingleEventProperties.Contains(property.Name) && !seen.Add(property.Name))
            {
                diagnostics.Warn(property.LineNumber, $"{property.Name} occurs more than once in a VEVENT; the first is kept");
                continue;
            }

            ApplyEventProperty(calendarEvent, property);
        }

        foreach (var child in raw.Children)
        {
            calendarEvent.Components.Add(child.ToComponent());
        }

        ValidateEvent(calendarEvent, raw.LineNumber);
        return calendarEvent;
    }

    private void ApplyEventProperty(CalendarEvent e, ContentLine property)
    {
        var value = property.Value;
        switch (property.Name)
        {
            case "UID": e.Uid = TextEscaping.UnescapeText(value).Trim(); break;
            case "DTSTAMP": e.DtStamp = ParseUtc(property); break;
            case "DTSTART": e.Start = ParseDate(property, value); break;
            case "DTEND": e.End = ParseDate(property, value); break;
            case "RECURRENCE-ID":
                e.RecurrenceId = ParseDate(property, value);
                if (property.GetParameter("RANGE") is { } range)
                {
                    diagnostics.Warn(property.LineNumber, $"RECURRENCE-ID;RANGE={ValueFormats.Shorten(range)} is not supported; treated as a single instance");
                }

                break;
            case "DURATION": e.Duration = ParseDuration(property); break;
            case "SUMMARY":
                e.Summary = TextEscaping.UnescapeText(value);
                e.SummaryLanguage = property.GetParameter("LANGUAGE");
                break;
            case "DESCRIPTION":
                e.Description = TextEscaping.UnescapeText(value);
                e.DescriptionLanguage = property.GetParameter("LANGUAGE");
                break;
            case "LOCATION": e.Location = TextEscaping.UnescapeText(value); break;
            case "GEO": e.Geo = ParseGeo(property); break;
            case "URL":
                e.Url = ParseUri(property, e.Properties);
                break;
            case "ORGANIZER":
                e.Organizer = new Organizer(value.Trim(), property.GetParameter("CN"));
                break;
            case "CATEGORIES":
                e.Categories.AddRange(TextEscaping.SplitTextList(value).Where(c => c.Length > 0));
                break;
            case "STATUS":
                switch (value.Trim().ToUpperInvariant())
                {
                    case "TENTATIVE": e.Status = EventStatus.Tentative; break;
                    case "CONFIRMED": e.Status = EventStatus.Confirmed; break;
                    case "CANCELLED": e.Status = EventStatus.Cancelled; break;
                    default:
                        diagnostics.Warn(property.LineNumber, $"STATUS '{ValueFormats.Shorten(value)}' is not valid for a VEVENT; kept as an extra property");
                        e.Properties.Add(property.ToProperty());
                        break;
                }

                break;
            case "SEQUENCE":
                if (int.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var sequence))
                {
                    e.Sequence = sequence;
                }
                else
                {
                    diagnostics.Warn(property.LineNumber, $"SEQUENCE '{ValueFormats.Shorten(value)}' is not an integer; 0 used");
                }

                break;
            case "CREATED": e.Created = ParseUtc(property); break;
            case "LAST-MODIFIED": e.LastModified = ParseUtc(property); break;
            case "TRANSP":
                switch (value.Trim().ToUpperInvariant())
                {
                    case "OPAQUE": e.Transparency = EventTransparency.Opaque; break;
                    case "TRANSPARENT": e.Transparency = EventTransparency.Transparent; break;
                    default:
                        diagnostics.Warn(property.LineNumber, $"TRANSP '{ValueFormats.Shorten(value)}' is not OPAQUE or TRANSPARENT; ignored");
                        break;
                }

                break;
            case "CLASS": e.Class = value.Trim().ToUpperInvariant(); break;
            case "CONFERENCE":
                var features = property.Parameters
                    .Where(p => p.Name == "FEATURE")
                    .SelectMany(p => p.Values)
                    .Where(f => f.Length > 0)
                    .ToList();
                e.Conferences.Add(new Conference(value.Trim(), features, property.GetParameter("LABEL")));
                break;
            case "RRULE":
                if (RecurrencePattern.TryParse(value, out var rule, out var ruleError))
                {
                    e.RecurrenceRules.Add(rule);
                }
                else
                {
                    diagnostics.Warn(property.LineNumber, $"RRULE: {ruleError}; kept as an extra property, not expanded");
                    e.Properties.Add(property.ToProperty());
                }

                break;
            case "EXDATE":
            case "RDATE":
                var target = property.Name == "EXDATE" ? e.ExceptionDates : e.RecurrenceDates;
                foreach (var item in SplitDates(property))
                {
                    if (ParseDate(property, item) is { } date)
                    {
                        target.Add(date);
                    }
                }

                break;
            default:
                e.Properties.Add(property.ToProperty());
                break;
        }
    }

    private void ValidateEvent(CalendarEvent e, int lineNumber)
    {
        if (e.Uid is null)
        {
            diagnostics.Warn(lineNumber, "VEVENT has no UID");
        }

        if (e.Start is not { } start)
        {
            diagnostics.Warn(lineNumber, "VEVENT has no valid DTSTART");
            return;
        }

        if (e.End is not null && e.Duration is not null)
        {
            diagnostics.Warn(lineNumber, "VEVENT has both DTEND and DURATION; DURATION ignored");
            e.Duration = null;
        }

        if (e.End is { } end)
        {
            if (end.HasTime != start.HasTime)
            {
                diagnostics.Warn(lineNumber, "DTEND and DTSTART differ in value type (DATE vs DATE-TIME)");
            }
            else if (end.ToUtc(_zones) < start.ToUtc(_zones))
            {
                diagnostics.Warn(lineNumber, "DTEND is before DTSTART");
            }
        }
    }

    private static IEnumerable<string> SplitDates(ContentLine property) =>
        property.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            // RDATE;VALUE=PERIOD: keep the start of start/end or start/duration.
            .Select(item => item.Contains('/', StringComparison.Ordinal) ? item[..item.IndexOf('/', StringComparison.Ordinal)] : item);

    private CalDateTime? ParseDate(ContentLine property, string text)
    {
        if (!ValueFormats.TryParseDateOrDateTime(text, null, out var value, out var offsetSuffix, out var error))
        {
            diagnostics.Warn(property.LineNumber, $"{property.Name}: {error}");
            return null;
        }

        if (offsetSuffix)
        {
            diagnostics.Warn(property.LineNumber, $"{property.Name}: a UTC offset suffix is not allowed in DATE-TIME; converted to UTC");
        }

        var tzId = property.GetParameter("TZID");
        if (tzId is null || !value.HasTime)
        {
            return value;
        }

        if (value.IsUtc)
        {
            diagnostics.Warn(property.LineNumber, $"{property.Name}: TZID is ignored on a UTC value");
            return value;
        }

        return ResolveTzId(tzId, property.LineNumber) is { } resolved ? CalDateTime.Zoned(value.Value, resolved) : value;
    }

    /// <summary>VTIMEZONE of the file, then normalised id, system id (IANA or Windows), Windows→IANA; else null (floating).</summary>
    private string? ResolveTzId(string tzId, int lineNumber)
    {
        if (_zones.IsEmbedded(tzId))
        {
            return tzId;
        }

        if (TimeZoneResolver.TryFindSystemTimeZone(tzId, out var zone))
        {
            return TimeZoneResolver.GetIanaId(zone);
        }

        if (_unknownTzIds.Add(tzId))
        {
            diagnostics.Warn(lineNumber, $"unknown TZID '{ValueFormats.Shorten(tzId)}' (no VTIMEZONE, not a system zone); read as floating time");
        }

        return null;
    }

    private DateTime? ParseUtc(ContentLine property)
    {
        if (ParseDate(property, property.Value) is not { } value)
        {
            return null;
        }

        if (!value.IsUtc)
        {
            diagnostics.Warn(property.LineNumber, $"{property.Name} must be a UTC DATE-TIME; converted");
        }

        return value.ToUtc(_zones);
    }

    private TimeSpan? ParseDuration(ContentLine property)
    {
        if (ValueFormats.TryParseDuration(property.Value, out var duration))
        {
            return duration;
        }

        diagnostics.Warn(property.LineNumber, $"{property.Name} '{ValueFormats.Shorten(property.Value)}' is not a DURATION; ignored");
        return null;
    }

    private Uri? ParseUri(ContentLine property, List<CalendarProperty> fallback)
    {
        if (Uri.TryCreate(property.Value.Trim(), UriKind.Absolute, out var uri))
        {
            return uri;
        }

        diagnostics.Warn(property.LineNumber, $"{property.Name} '{ValueFormats.Shorten(property.Value)}' is not an absolute URI; kept as an extra property");
        fallback.Add(property.ToProperty());
        return null;
    }

    private GeographicLocation? ParseGeo(ContentLine property)
    {
        var parts = property.Value.Split(property.Value.Contains(';', StringComparison.Ordinal) ? ';' : ',');
        if (parts.Length == 2 && ValueFormats.TryParseFloat(parts[0], out var latitude) && ValueFormats.TryParseFloat(parts[1], out var longitude)
            && latitude is >= -90 and <= 90 && longitude is >= -180 and <= 180)
        {
            return new GeographicLocation(latitude, longitude);
        }

        diagnostics.Warn(property.LineNumber, $"GEO '{ValueFormats.Shorten(property.Value)}' is not latitude;longitude; ignored");
        return null;
    }
}
