using System.Globalization;
using LiveHub.ICalendar.Recurrence;
using LiveHub.Problems;
using ICal = LiveHub.ICalendar;

namespace LiveHub.Events;

/// <summary>Makes an event a recurring series, or changes its rule, exceptions and overrides.</summary>
/// <param name="Rule">An RRULE value such as "FREQ=MONTHLY;BYDAY=2TU;COUNT=6" (a leading "RRULE:" is accepted).</param>
/// <param name="Exceptions">Dates the series skips, by the start the rule gives them (ISO 8601; venue time without an offset).</param>
public sealed record SeriesWriteRequest(string? Rule, IReadOnlyList<string>? Exceptions, IReadOnlyList<SeriesOverrideRequest>? Overrides);

/// <param name="OriginalStart">The start the rule gives the date being changed.</param>
/// <param name="StartsAt">Its new start; the original one when left out.</param>
/// <param name="EndsAt">Its new end; the series' length after the start when left out.</param>
/// <param name="Title">Its own title; the series' title when left out.</param>
public sealed record SeriesOverrideRequest(string? OriginalStart, string? StartsAt, string? EndsAt, string? Title, EventStatus? Status);

public sealed record SeriesDateResponse(TimeRange When, DateTimeOffset OriginalStart, string Title, EventStatus Status, bool IsOverride);

public sealed record SeriesOverrideResponse(DateTimeOffset OriginalStart, TimeRange When, string? Title, EventStatus Status);

public sealed record SeriesResponse(
    string Rule,
    IReadOnlyList<DateTimeOffset> Exceptions,
    IReadOnlyList<SeriesOverrideResponse> Overrides,
    IReadOnlyList<SeriesDateResponse> NextDates,
    bool RepeatsForever);

public sealed record ValidSeries(string Rule, DateTime SeriesEndsAtUtc, List<DateTime> ExceptionsUtc, List<SeriesOverride> Overrides);

public static class SeriesValidation
{
    /// <summary>Checks a series for an event starting and ending at the given instants in <paramref name="zone"/>.</summary>
    public static ValidationErrors Validate(SeriesWriteRequest request, DateTime startsAtUtc, DateTime endsAtUtc, TimeZoneInfo zone, out ValidSeries? valid)
    {
        valid = null;
        var errors = new ValidationErrors();
        var rule = ParseRule(errors, request.Rule, startsAtUtc, zone);
        var count = (int?)null;
        var lastEnd = SeriesSchedule.Forever;
        if (rule is not null)
        {
            try
            {
                (count, lastEnd) = SeriesSchedule.Extent(startsAtUtc, endsAtUtc, zone, rule, SeriesLimits.Occurrences);
            }
            catch (Exception ex) when (ex is ICal.CalendarException or ArgumentOutOfRangeException)
            {
                errors.Add("rule", $"gives too many dates: a series may have at most {SeriesLimits.Occurrences}; lower COUNT or bring UNTIL forward.");
                rule = null;
            }

            if (count is 1)
            {
                errors.Add("rule", "gives only the event's own date (UNTIL is before the second one); a series needs two dates or more.");
            }
        }

        var exceptions = new List<(int Index, DateTime Utc)>();
        var exceptionTexts = request.Exceptions ?? [];
        if (exceptionTexts.Count > SeriesLimits.Exceptions)
        {
            errors.Add("exceptions", $"at most {SeriesLimits.Exceptions} dates (got {exceptionTexts.Count}).");
            exceptionTexts = [];
        }

        for (var i = 0; i < exceptionTexts.Count; i++)
        {
            if (!VenueTime.TryParse(exceptionTexts[i], zone, out var utc))
            {
                errors.Add($"exceptions[{i}]", "must be an ISO 8601 date and time, like '2026-11-10T14:00' (venue time) or '2026-11-10T14:00:00Z'.");
            }
            else if (exceptions.All(x => x.Utc != utc))
            {
                exceptions.Add((i, utc));
            }
        }

        var overrides = new List<(int Index, SeriesOverride Override)>();
        var overrideRequests = request.Overrides ?? [];
        if (overrideRequests.Count > SeriesLimits.Overrides)
        {
            errors.Add("overrides", $"at most {SeriesLimits.Overrides} changed dates (got {overrideRequests.Count}).");
            overrideRequests = [];
        }

        for (var i = 0; i < overrideRequests.Count; i++)
        {
            if (ParseOverride(errors, $"overrides[{i}]", overrideRequests[i], endsAtUtc - startsAtUtc, zone) is not { } parsed)
            {
                continue;
            }

            if (overrides.Any(x => x.Override.OriginalStartUtc == parsed.OriginalStartUtc))
            {
                errors.Add($"overrides[{i}].originalStart", "changes the same date as an earlier override.");
            }
            else if (exceptions.Any(x => x.Utc == parsed.OriginalStartUtc))
            {
                errors.Add($"overrides[{i}].originalStart", "is also in exceptions: a skipped date cannot be changed as well.");
            }
            else
            {
                overrides.Add((i, parsed));
            }
        }

        if (rule is not null && (exceptions.Count > 0 || overrides.Count > 0))
        {
            var named = exceptions.Select(x => x.Utc).Concat(overrides.Select(x => x.Override.OriginalStartUtc)).ToList();
            HashSet<DateTime> dates;
            try
            {
                dates = SeriesSchedule.RuleDates(startsAtUtc, endsAtUtc, zone, rule, named.Min(), named.Max().AddSeconds(1));
            }
            catch (Exception ex) when (ex is ICal.CalendarException or ArgumentOutOfRangeException)
            {
                dates = [];
            }

            foreach (var (index, utc) in exceptions.Where(x => !dates.Contains(x.Utc)))
            {
                errors.Add($"exceptions[{index}]", NotADate(utc, startsAtUtc, zone));
            }

            foreach (var (index, o) in overrides.Where(x => !dates.Contains(x.Override.OriginalStartUtc)))
            {
                errors.Add($"overrides[{index}].originalStart", NotADate(o.OriginalStartUtc, startsAtUtc, zone));
            }
        }

        if (errors.HasErrors || rule is null)
        {
            return errors;
        }

        var seriesEnd = overrides.Select(x => x.Override.EndsAtUtc).Append(lastEnd).Max();
        valid = new ValidSeries(rule.ToString(), seriesEnd, [.. exceptions.Select(x => x.Utc).Order()], [.. overrides.Select(x => x.Override).OrderBy(o => o.OriginalStartUtc)]);
        return errors;
    }

    private static string NotADate(DateTime utc, DateTime startsAtUtc, TimeZoneInfo zone) =>
        $"{VenueTime.ToLocal(utc, zone):yyyy-MM-dd HH:mm} ({zone.Id}) is not a date of the series; its dates start at {VenueTime.ToLocal(startsAtUtc, zone):HH:mm} on the days the rule gives.";

    private static RecurrencePattern? ParseRule(ValidationErrors errors, string? text, DateTime startsAtUtc, TimeZoneInfo zone)
    {
        var value = EventValidation.Clean(text);
        if (!errors.Required("rule", value))
        {
            return null;
        }

        if (value!.StartsWith("RRULE:", StringComparison.OrdinalIgnoreCase))
        {
            value = value["RRULE:".Length..];
        }

        if (value.Length > SeriesLimits.Rule)
        {
            errors.Add("rule", $"must be at most {SeriesLimits.Rule} characters.");
            return null;
        }

        var upper = value.ToUpperInvariant();
        if (upper.Contains("COUNT=", StringComparison.Ordinal) && upper.Contains("UNTIL=", StringComparison.Ordinal))
        {
            errors.Add("rule", "has both COUNT and UNTIL; RFC 5545 allows one or the other.");
            return null;
        }

        if (!RecurrencePattern.TryParse(value, out var rule, out var error))
        {
            errors.Add("rule", $"is not a valid RRULE ({error}), like 'FREQ=MONTHLY;BYDAY=2TU;COUNT=6'.");
            return null;
        }

        var problem = rule switch
        {
            { Frequency: not (FrequencyType.Daily or FrequencyType.Weekly or FrequencyType.Monthly or FrequencyType.Yearly) } =>
                "repeats more often than daily; FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY.",
            { ByHour.Count: > 0 } or { ByMinute.Count: > 0 } or { BySecond.Count: > 0 } =>
                "may not set BYHOUR, BYMINUTE or BYSECOND: every date starts at the event's own time.",
            { UnsupportedParts.Count: > 0 } =>
                $"uses {string.Join(", ", rule.UnsupportedParts.Select(p => p.Key))}, which LiveHub does not support.",
            { Interval: > 1000 } => "has an INTERVAL above 1000.",
            _ => null,
        };
        if (problem is not null)
        {
            errors.Add("rule", problem);
            return null;
        }

        if (rule.Until is { } until)
        {
            // RFC 5545: with a zoned DTSTART, UNTIL must be UTC. A date means "up to the end of that day", venue time.
            var untilUtc = until.HasTime
                ? until.IsUtc ? until.Value : VenueTime.ToUtc(until.Value, zone)
                : VenueTime.ToUtc(until.Value.Date.AddDays(1).AddSeconds(-1), zone);
            if (untilUtc < startsAtUtc)
            {
                errors.Add("rule", $"UNTIL ({untilUtc:yyyy-MM-dd'T'HH:mm:ss'Z'}) is before the event's start.");
                return null;
            }

            rule.Until = ICal.CalDateTime.FromUtc(DateTime.SpecifyKind(untilUtc, DateTimeKind.Utc));
        }

        return rule;
    }

    private static SeriesOverride? ParseOverride(ValidationErrors errors, string field, SeriesOverrideRequest? request, TimeSpan length, TimeZoneInfo zone)
    {
        if (request is null)
        {
            errors.Add(field, "is required.");
            return null;
        }

        var ok = true;
        DateTime original = default, start = default, end = default;
        if (!errors.Required($"{field}.originalStart", request.OriginalStart))
        {
            ok = false;
        }
        else if (!VenueTime.TryParse(request.OriginalStart, zone, out original))
        {
            errors.Add($"{field}.originalStart", "must be an ISO 8601 date and time: the start the rule gives the date being changed.");
            ok = false;
        }

        if (request.StartsAt is not null && !VenueTime.TryParse(request.StartsAt, zone, out start))
        {
            errors.Add($"{field}.startsAt", "must be an ISO 8601 date and time, like '2026-11-10T15:00' (venue time).");
            ok = false;
        }

        if (request.EndsAt is not null && !VenueTime.TryParse(request.EndsAt, zone, out end))
        {
            errors.Add($"{field}.endsAt", "must be an ISO 8601 date and time, like '2026-11-10T16:00' (venue time).");
            ok = false;
        }

        var title = EventValidation.Clean(request.Title);
        errors.MaxLength($"{field}.title", title, EventLimits.Title);
        if (!ok)
        {
            return null;
        }

        start = request.StartsAt is null ? original : start;
        end = request.EndsAt is null ? start + length : end;
        if (end <= start)
        {
            errors.Add($"{field}.endsAt", "must be after startsAt.");
            return null;
        }

        if (end - start > EventValidation.MaxEventLength)
        {
            errors.Add($"{field}.endsAt", $"must be within {EventValidation.MaxEventLength.TotalDays.ToString(CultureInfo.InvariantCulture)} days of startsAt.");
            return null;
        }

        return new SeriesOverride
        {
            OriginalStartUtc = original,
            StartsAtUtc = start,
            EndsAtUtc = end,
            Title = title,
            Status = request.Status is { } status && Enum.IsDefined(status) ? status : EventStatus.Scheduled,
        };
    }
}
