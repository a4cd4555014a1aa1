using System.Globalization;
using LiveHub.Data;
using LiveHub.Problems;

namespace LiveHub.Events;

/// <summary>All events (soonest first), those not yet over (soonest first), or those over (latest first).</summary>
public enum EventListing
{
    All,
    Upcoming,
    Past,
}

/// <summary>Which published events to list: words to find, a tag, a month (yyyy-MM); the same on /events and /api/events.</summary>
public sealed record EventFilter(IReadOnlyList<string> Terms, string? Query, string? Tag, DateOnly? Month)
{
    public bool IsEmpty => Terms.Count == 0 && Tag is null && Month is null;
}

/// <summary>
/// Search and filters over events, translated to SQL on PostgreSQL and SQLite alike: every word of <c>q</c> must occur
/// (case-insensitively) in the title, summary, description (English or Welsh, whatever the reader's language), a tag,
/// or the name of a speaker or chair of a session.
/// Matching lower-cases both sides with the database's lower(): on SQLite that folds ASCII letters only, so "É" finds
/// "É" but not "é" there; accents never make a query fail.
/// </summary>
public static class EventSearch
{
    public const int MaxQueryLength = 200;
    public const int MaxTerms = 8;

    public static EventFilter Parse(ValidationErrors errors, string? q, string? tag, string? month)
    {
        var query = EventValidation.Clean(q);
        var terms = new List<string>();
        if (query is not null)
        {
            if (query.Length > MaxQueryLength)
            {
                errors.Add("q", $"must be at most {MaxQueryLength} characters (got {query.Length}).");
            }
            else
            {
                terms = [.. query.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(t => t.ToLowerInvariant()).Distinct(StringComparer.Ordinal)];
                if (terms.Count > MaxTerms)
                {
                    errors.Add("q", $"at most {MaxTerms} words (got {terms.Count}).");
                }
            }
        }

        var normalisedTag = EventValidation.Clean(tag)?.ToLowerInvariant();
        if (normalisedTag is not null && normalisedTag.Length > EventLimits.Tag)
        {
            errors.Add("tag", $"must be at most {EventLimits.Tag} characters (got {normalisedTag.Length}).");
        }

        DateOnly? monthStart = null;
        var monthText = EventValidation.Clean(month);
        if (monthText is not null)
        {
            if (DateOnly.TryParseExact(monthText, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) && parsed.Year is >= 1900 and <= 2200)
            {
                monthStart = parsed;
            }
            else
            {
                errors.Add("month", "must be a year and month, like '2026-11'.");
            }
        }

        return new EventFilter(terms, query, normalisedTag, monthStart);
    }

    public static EventListing ParseWhen(ValidationErrors errors, string? when)
    {
        var text = EventValidation.Clean(when);
        if (text is null)
        {
            return EventListing.All;
        }

        if (Enum.TryParse<EventListing>(text, ignoreCase: true, out var listing) && Enum.IsDefined(listing) && !int.TryParse(text, out _))
        {
            return listing;
        }

        errors.Add("when", "must be one of: all, upcoming, past.");
        return EventListing.All;
    }

    public static IQueryable<Event> Apply(IQueryable<Event> events, LiveHubDbContext db, EventFilter filter)
    {
        if (filter.Tag is { } tag)
        {
            events = events.Where(e => e.Tags.Contains(tag));
        }

        if (filter.Month is { } month)
        {
            // Whole months in UTC: an event just after midnight local time at a venue east of UTC may count in the month before.
            var start = month.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            var end = month.AddMonths(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            events = events.Where(e => e.StartsAtUtc < end && (e.SeriesEndsAtUtc ?? e.EndsAtUtc) >= start);
        }

        // EF Core translates ToLower().Contains() to lower()/instr() (SQLite) and lower()/strpos() (PostgreSQL); the overloads
        // taking a StringComparison, which the analyser prefers, cannot be translated at all.
#pragma warning disable CA1862
        foreach (var term in filter.Terms)
        {
            events = events.Where(e =>
                e.Title.ToLower().Contains(term)
                || (e.Summary != null && e.Summary.ToLower().Contains(term))
                || (e.Description != null && e.Description.ToLower().Contains(term))
                || (e.TitleCy != null && e.TitleCy.ToLower().Contains(term))
                || (e.SummaryCy != null && e.SummaryCy.ToLower().Contains(term))
                || (e.DescriptionCy != null && e.DescriptionCy.ToLower().Contains(term))
                || e.Tags.Any(t => t.Contains(term))
                || db.Sessions.Any(s => s.EventId == e.Id
                    && ((s.Chair != null && s.Chair.Name.ToLower().Contains(term))
                        || s.Speakers.Any(x => x.Speaker!.Name.ToLower().Contains(term)))));
        }
#pragma warning restore CA1862

        return events;
    }

    /// <summary>The query string for a list page with these filters, e.g. "?q=skills&amp;tag=birmingham&amp;page=2".</summary>
    public static string QueryString(EventFilter filter, params (string Name, int? Value)[] pages)
    {
        var parts = new List<string>();
        if (filter.Query is { } q)
        {
            parts.Add("q=" + Uri.EscapeDataString(q));
        }

        if (filter.Tag is { } tag)
        {
            parts.Add("tag=" + Uri.EscapeDataString(tag));
        }

        if (filter.Month is { } month)
        {
            parts.Add("month=" + month.ToString("yyyy-MM", CultureInfo.InvariantCulture));
        }

        parts.AddRange(pages.Where(p => p.Value is > 1).Select(p => $"{p.Name}={p.Value!.Value.ToString(CultureInfo.InvariantCulture)}"));
        return parts.Count == 0 ? "" : "?" + string.Join("&", parts);
    }
}
