using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LiveHub.Data;
using LiveHub.Events;
using LiveHub.ICalendar.Recurrence;
using LiveHub.ICalendar.Serialization;
using LiveHub.ICalendar.TimeZones;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ICal = LiveHub.ICalendar;

namespace LiveHub.Calendar.Import;

/// <summary>The source has more VEVENTs (after expanding series) than one import may hold.</summary>
internal sealed class ImportTooLargeException(string message) : Exception(message);

/// <summary>
/// Plans and applies an import. Every VEVENT becomes one candidate event (a recurring series stays one event with
/// its RRULE, EXDATEs and overrides), validated by the same rules as the events API,
/// then matched on <see cref="Event.SourceUid"/>: new UIDs are created, known ones updated only when something
/// changed (so re-importing the same file bumps no revision), and everything else is skipped with a reason.
/// </summary>
internal sealed class IcsImporter(LiveHubDbContext db, IOptions<CalendarOptions> calendarOptions, TimeProvider clock)
{
    private const string CancelledPrefix = "Cancelled:";
    private const int MaxWarnings = 50;
    private readonly CalendarImportOptions _options = calendarOptions.Value.Import;

    /// <exception cref="ICal.CalendarParseException">Malformed input, with the line number and the reason.</exception>
    /// <exception cref="ImportTooLargeException">Too many events.</exception>
    public async Task<ImportResponse> RunAsync(byte[] bytes, string source, bool publish, bool apply, CancellationToken cancellationToken)
    {
        var read = new CalendarReader(new CalendarReaderOptions { MaxInputBytes = _options.MaxBytes }).Read(bytes);
        var now = clock.GetUtcNow().UtcDateTime;
        var candidates = new List<Candidate>();
        foreach (var calendar in read.Calendars)
        {
            Extract(calendar, now, candidates);
            if (candidates.Count > _options.MaxEvents)
            {
                throw new ImportTooLargeException($"the file holds more than {_options.MaxEvents} events; split it.");
            }
        }

        var items = await DecideAsync(candidates, publish, apply, now, cancellationToken);
        if (apply)
        {
            await db.SaveChangesAsync(cancellationToken);
        }

        var warnings = read.Warnings.Take(MaxWarnings).Select(w => w.ToString()).ToList();
        if (read.Warnings.Count > MaxWarnings)
        {
            warnings.Add($"… and {read.Warnings.Count - MaxWarnings} more warnings.");
        }

        return new ImportResponse(
            source,
            Sha256(bytes),
            apply,
            items.Count(i => i.Action == ImportActions.Create),
            items.Count(i => i.Action == ImportActions.Update),
            items.Count(i => i.Action == ImportActions.Skip),
            items,
            warnings);
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private sealed record Candidate(string? Uid, string? Title, int Line, EventWriteRequest? Request, List<string> Notes, string? SkipReason)
    {
        /// <summary>The RRULE, EXDATEs and overrides of a recurring VEVENT, kept as one series.</summary>
        public SeriesWriteRequest? Series { get; set; }

        public static Candidate Skip(ICal.CalendarEvent source, string? uid, string reason) =>
            new(uid, source.Summary, source.LineNumber, null, [], reason);
    }

    private void Extract(ICal.Calendar calendar, DateTime now, List<Candidate> candidates)
    {
        var zones = calendar.CreateTimeZoneResolver();
        var defaultZone = calendar.TimeZoneId is { } wrZone && TryIanaZone(wrZone, out var fileZone) ? fileZone : DefaultZone();
        var floating = new SystemTimeZoneRules(defaultZone);

        foreach (var withoutUid in calendar.Events.Where(e => string.IsNullOrWhiteSpace(e.Uid)))
        {
            candidates.Add(Candidate.Skip(withoutUid, null, "no UID, so a later import could not recognise it."));
        }

        foreach (var group in calendar.Events.Where(e => !string.IsNullOrWhiteSpace(e.Uid)).GroupBy(e => e.Uid!.Trim(), StringComparer.Ordinal))
        {
            var uid = group.Key;
            var masters = group.Where(e => e.RecurrenceId is null)
                .OrderByDescending(e => e.Sequence).ThenByDescending(e => e.DtStamp ?? DateTime.MinValue).ToList();
            var overrides = group.Where(e => e.RecurrenceId is not null).ToList();
            foreach (var loser in masters.Skip(1))
            {
                candidates.Add(Candidate.Skip(loser, uid, $"the same UID appears again on line {masters[0].LineNumber} with a higher SEQUENCE or later DTSTAMP, which wins."));
            }

            var master = masters.FirstOrDefault();
            if (master is not null && master.IsRecurring)
            {
                candidates.Add(Series(master, overrides, uid, zones, floating, defaultZone, now));
                continue;
            }

            if (master is not null)
            {
                candidates.Add(Build(master, uid, null, zones, floating, defaultZone));
            }

            // Overrides of a series that is not in the file still describe real instances.
            foreach (var instance in overrides)
            {
                candidates.Add(master is null
                    ? Build(instance, $"{uid}#{RecurrenceKey(instance.RecurrenceId!.Value, zones, floating)}", null, zones, floating, defaultZone)
                    : Candidate.Skip(instance, uid, "RECURRENCE-ID for an event that does not repeat; ignored."));
            }
        }
    }

    /// <summary>
    /// A recurring VEVENT becomes one event for its first date plus its series: the rule, the EXDATEs and the overrides
    /// (RECURRENCE-ID), checked by the same rules as the series API. The rule is first stepped through with a cap so
    /// that a hostile RRULE costs little.
    /// </summary>
    private Candidate Series(
        ICal.CalendarEvent master, List<ICal.CalendarEvent> overrides, string uid, TimeZoneResolver zones, ITimeZoneRules floating, TimeZoneInfo defaultZone, DateTime now)
    {
        if (master.RecurrenceRules.Count == 0)
        {
            return Candidate.Skip(master, uid, "RDATE without RRULE: LiveHub keeps series by their rule only.");
        }

        try
        {
            // Stepping from DTSTART to ten years ahead is what showing the next dates may cost later.
            master.GetOccurrences(DateTime.MinValue, now.AddYears(10), zones,
                new EvaluationOptions { FloatingTimeZone = floating, MaxOccurrences = 1_000_000, MaxIncrements = _options.MaxRecurrencePeriods });
        }
        catch (Exception ex) when (ex is ICal.CalendarException or ArgumentOutOfRangeException)
        {
            return Candidate.Skip(master, uid, $"recurring series could not be expanded: {ex.Message}");
        }

        var candidate = Build(master, uid, null, zones, floating, defaultZone);
        if (candidate.Request is null)
        {
            return candidate;
        }

        if (master.RecurrenceRules.Count > 1 || master.RecurrenceDates.Count > 0)
        {
            candidate.Notes.Add("only the first RRULE is kept (extra RRULEs and RDATEs are not).");
        }

        var exceptions = new List<string>();
        var changed = new List<SeriesOverrideRequest>();
        try
        {
            exceptions.AddRange(master.ExceptionDates.Select(x => Iso(x.ToUtc(zones, floating))));
            foreach (var instance in overrides)
            {
                var start = instance.Start?.ToUtc(zones, floating);
                var end = instance.End?.ToUtc(zones, floating) ?? (start + instance.Duration);
                var title = EventValidation.Clean(instance.Summary);
                if (instance.Status == ICal.EventStatus.Cancelled && title?.StartsWith(CancelledPrefix, StringComparison.OrdinalIgnoreCase) == true)
                {
                    title = title[CancelledPrefix.Length..].Trim();
                }

                changed.Add(new SeriesOverrideRequest(
                    Iso(instance.RecurrenceId!.Value.ToUtc(zones, floating)),
                    start is null ? null : Iso(start.Value),
                    end is null ? null : Iso(end.Value),
                    title == candidate.Request.Title || title is null ? null : Truncate(title, EventLimits.Title, "SUMMARY", candidate.Notes),
                    instance.Status switch
                    {
                        ICal.EventStatus.Cancelled => Events.EventStatus.Cancelled,
                        ICal.EventStatus.Tentative => Events.EventStatus.Postponed,
                        _ => Events.EventStatus.Scheduled,
                    }));
            }
        }
        catch (Exception ex) when (ex is ICal.CalendarException or ArgumentOutOfRangeException)
        {
            return Candidate.Skip(master, uid, "an EXDATE or RECURRENCE-ID could not be read as a time between the years 1 and 9999.");
        }

        candidate.Series = new SeriesWriteRequest(master.RecurrenceRules[0].ToString(), exceptions, changed);
        candidate.Notes.Insert(0, $"recurring series (RRULE:{master.RecurrenceRules[0]}), kept as one event with {exceptions.Count} skipped and {changed.Count} changed date(s).");
        return candidate;
    }

    private static string Iso(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private Candidate Build(
        ICal.CalendarEvent source, string uid, (DateTime Start, DateTime End)? instant, TimeZoneResolver zones, ITimeZoneRules floating, TimeZoneInfo defaultZone)
    {
        var notes = new List<string>();
        if (uid.Length > EventLimits.SourceUid)
        {
            return Candidate.Skip(source, uid[..60] + "…", $"UID longer than {EventLimits.SourceUid} characters.");
        }

        var title = EventValidation.Clean(source.Summary);
        if (title is null)
        {
            return Candidate.Skip(source, uid, "no SUMMARY, so the event would have no title.");
        }

        if (source.Status == ICal.EventStatus.Cancelled && title.StartsWith(CancelledPrefix, StringComparison.OrdinalIgnoreCase))
        {
            title = title[CancelledPrefix.Length..].Trim();
        }

        title = Truncate(title, EventLimits.Title, "SUMMARY", notes);
        if (source.Start is not { } start)
        {
            return Candidate.Skip(source, uid, "no DTSTART.");
        }

        var zone = defaultZone;
        if (start.TzId is { } tzId)
        {
            if (TryIanaZone(tzId, out var eventZone))
            {
                zone = eventZone;
            }
            else if (!zones.IsEmbedded(tzId))
            {
                notes.Add($"unknown time zone '{tzId}': times read as {defaultZone.Id}.");
            }
        }
        else if (start.IsFloating)
        {
            notes.Add($"floating time (no zone): read as {defaultZone.Id}.");
        }

        DateTime startUtc, endUtc;
        try
        {
            if (instant is { } given)
            {
                (startUtc, endUtc) = given;
            }
            else
            {
                startUtc = start.ToUtc(zones, floating);
                if (source.End is { } end)
                {
                    endUtc = end.ToUtc(zones, floating);
                }
                else if (source.Duration is { } duration)
                {
                    endUtc = startUtc + duration;
                }
                else
                {
                    endUtc = start.HasTime ? startUtc : startUtc.AddDays(1);
                }
            }

            if (!start.HasTime)
            {
                notes.Add($"all-day: imported as midnight to midnight, {zone.Id} time.");
            }

            if (endUtc <= startUtc)
            {
                endUtc = startUtc.AddHours(1);
                notes.Add("no end time (or none after the start): imported as one hour.");
            }
        }
        catch (ArgumentOutOfRangeException)
        {
            // A DURATION or default length that runs past year 9999 (or before year 1).
            return Candidate.Skip(source, uid, "the start or end lies outside the years 1 to 9999.");
        }

        var description = source.Description is null ? null : Truncate(EventValidation.CleanMultiline(source.Description), EventLimits.Description, "DESCRIPTION", notes);
        var (venue, onlineUrl) = Place(source, notes);
        var request = new EventWriteRequest(
            Slug: null,
            Title: title,
            Summary: null,
            Description: description,
            StartsAt: startUtc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            EndsAt: endUtc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            TimeZone: zone.Id,
            Venue: venue,
            OnlineUrl: onlineUrl,
            Status: source.Status switch
            {
                ICal.EventStatus.Cancelled => Events.EventStatus.Cancelled,
                ICal.EventStatus.Tentative => Events.EventStatus.Postponed,
                _ => Events.EventStatus.Scheduled,
            },
            Tags: Tags(source.Categories, notes),
            Organiser: source.Organizer?.CommonName is { } cn ? Truncate(EventValidation.Clean(cn), EventLimits.Organiser, "ORGANIZER", notes) : null,
            ImageUrl: null,
            IsPublished: null);
        return new Candidate(uid, title, source.LineNumber, request, notes, null);
    }

    private static (VenueDto? Venue, string? OnlineUrl) Place(ICal.CalendarEvent source, List<string> notes)
    {
        var onlineUrl = source.Conferences.Select(c => c.Uri).FirstOrDefault(IsHttpUrl);
        var location = EventValidation.Clean(source.Location);
        if (location is not null && IsHttpUrl(location))
        {
            onlineUrl ??= location;
            location = null;
        }

        if (location is not null && string.Equals(location, "Online", StringComparison.OrdinalIgnoreCase))
        {
            location = null;
        }

        if (location is null)
        {
            return (null, onlineUrl);
        }

        // "Venue, street, city": the first part names the place, the rest is its address.
        var comma = location.IndexOf(',', StringComparison.Ordinal);
        var name = comma > 0 ? location[..comma].Trim() : location;
        var address = comma > 0 ? EventValidation.Clean(location[(comma + 1)..]) : null;
        name = Truncate(name, EventLimits.VenueName, "LOCATION", notes);
        address = Truncate(address, EventLimits.VenueAddress, "LOCATION", notes);
        var geo = source.Geo;
        return (new VenueDto(name, address, geo?.Latitude, geo?.Longitude), onlineUrl);
    }

    private static List<string> Tags(IEnumerable<string> categories, List<string> notes)
    {
        var tags = new List<string>();
        foreach (var category in categories)
        {
            var tag = new StringBuilder();
            foreach (var c in category.Trim().ToLowerInvariant().Normalize(NormalizationForm.FormD))
            {
                if (char.IsAsciiLetterOrDigit(c))
                {
                    tag.Append(c);
                }
                else if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark && tag.Length > 0 && tag[^1] != '-')
                {
                    tag.Append('-');
                }
            }

            var text = tag.ToString().Trim('-');
            if (text.Length > EventLimits.Tag)
            {
                text = text[..EventLimits.Tag].TrimEnd('-');
            }

            if (text.Length > 0 && !tags.Contains(text))
            {
                tags.Add(text);
            }
        }

        if (tags.Count > EventLimits.TagCount)
        {
            notes.Add($"only the first {EventLimits.TagCount} of {tags.Count} CATEGORIES are kept as tags.");
            tags = tags[..EventLimits.TagCount];
        }

        return tags;
    }

    private async Task<List<ImportItem>> DecideAsync(List<Candidate> candidates, bool publish, bool apply, DateTime now, CancellationToken cancellationToken)
    {
        var uids = candidates.Where(c => c.Request is not null).Select(c => c.Uid!).Distinct().ToList();
        IQueryable<Event> query = db.Events.IgnoreQueryFilters().Include(e => e.Sessions);
        if (!apply)
        {
            query = query.AsNoTracking();
        }

        var existing = uids.Count == 0 ? [] : await query.Where(e => e.SourceUid != null && uids.Contains(e.SourceUid)).ToListAsync(cancellationToken);
        var bySourceUid = existing.ToDictionary(e => e.SourceUid!, StringComparer.Ordinal);
        var ownIds = uids.Select(u => Guid.TryParse(u, out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty).ToList();
        var ownEvents = ownIds.Count == 0 ? [] : await db.Events.IgnoreQueryFilters().Where(e => ownIds.Contains(e.Id)).Select(e => e.Id).ToListAsync(cancellationToken);
        var ownSessions = ownIds.Count == 0 ? [] : await db.Sessions.IgnoreQueryFilters().Where(s => ownIds.Contains(s.Id)).Select(s => s.Id).ToListAsync(cancellationToken);

        await Venues.VenueDirectory.TrackAllAsync(db, cancellationToken);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var creates = new List<(int Index, Candidate Candidate, string Uid, ValidEvent Valid, ValidSeries? Series)>();
        var items = new List<ImportItem>();
        foreach (var candidate in candidates)
        {
            if (candidate.Request is not { } request)
            {
                items.Add(Item(candidate, ImportActions.Skip, [candidate.SkipReason!]));
                continue;
            }

            var uid = candidate.Uid!;
            if (seen.TryGetValue(uid, out var firstLine))
            {
                items.Add(Item(candidate, ImportActions.Skip, [$"the same UID was already imported from line {firstLine}."]));
                continue;
            }

            seen[uid] = candidate.Line;
            if (Guid.TryParse(uid, out var ownId) && (ownEvents.Contains(ownId) || ownSessions.Contains(ownId)))
            {
                items.Add(Item(candidate, ImportActions.Skip, [$"this is one of LiveHub's own {(ownEvents.Contains(ownId) ? "events" : "sessions")} (from this hub's feed)."]));
                continue;
            }

            if (bySourceUid.TryGetValue(uid, out var current))
            {
                items.Add(await UpdateAsync(candidate, request, current, now, cancellationToken));
                continue;
            }

            var errors = EventValidation.Validate(request with { IsPublished = publish }, out var valid);
            if (valid is null)
            {
                items.Add(Item(candidate, ImportActions.Skip, Reasons(errors)));
                continue;
            }

            if (!CheckSeries(candidate, valid, out var series, out var seriesReasons))
            {
                items.Add(Item(candidate, ImportActions.Skip, seriesReasons));
                continue;
            }

            // Its slug is chosen below, once the slugs taken are known for the whole file.
            creates.Add((items.Count, candidate, uid, valid, series));
            items.Add(null!);
        }

        var slugsTaken = await SlugsTakenAsync(creates.Select(c => EventValidation.SlugFromTitle(c.Valid.Title)), cancellationToken);
        foreach (var (index, candidate, uid, valid, series) in creates)
        {
            var slug = FreeSlug(EventValidation.SlugFromTitle(valid.Title), slugsTaken);
            var e = new Event { Slug = slug, Title = valid.Title, TimeZoneId = valid.TimeZoneId, CreatedAtUtc = now, UpdatedAtUtc = now, SourceUid = uid };
            var (_, venue) = await Venues.VenueDirectory.ResolveAsync(db, valid, now, new Problems.ValidationErrors(), cancellationToken, allTracked: true);
            EventChanges.Apply(e, valid, slug, now, venue);
            SeriesChanges.Apply(e, series, now);
            e.Revision = 0;
            if (apply)
            {
                db.Events.Add(e);
            }

            items[index] = Item(candidate, ImportActions.Create, [.. candidate.Notes], e);
        }

        return items;
    }

    private async Task<ImportItem> UpdateAsync(Candidate candidate, EventWriteRequest request, Event current, DateTime now, CancellationToken cancellationToken)
    {
        if (current.DeletedAtUtc is not null)
        {
            return Item(candidate, ImportActions.Skip, ["it was imported before and then deleted in LiveHub; it is not created again."]);
        }

        // What the file does not describe stays as staff left it.
        var errors = EventValidation.Validate(
            request with
            {
                Summary = current.Summary, ImageUrl = current.ImageUrl, IsPublished = current.IsPublished,
                TitleCy = current.TitleCy, SummaryCy = current.SummaryCy, DescriptionCy = current.DescriptionCy,
            }, out var valid);
        if (valid is null)
        {
            return Item(candidate, ImportActions.Skip, Reasons(errors));
        }

        if (!CheckSeries(candidate, valid, out var series, out var seriesReasons))
        {
            return Item(candidate, ImportActions.Skip, seriesReasons, current);
        }

        var outside = current.Sessions.Where(s => s.DeletedAtUtc is null && (s.StartsAtUtc < valid.StartsAtUtc || s.EndsAtUtc > valid.EndsAtUtc)).ToList();
        if (outside.Count > 0 && valid.Status != Events.EventStatus.Postponed)
        {
            return Item(candidate, ImportActions.Skip, [$"{outside.Count} of its sessions would fall outside the new dates; move them first."], current);
        }

        var before = Snapshot(current);
        var (_, venue) = await Venues.VenueDirectory.ResolveAsync(db, valid, now, errors, cancellationToken, allTracked: true);
        var eventChanged = EventChanges.Apply(current, valid, current.Slug, now, venue);
        var seriesChanged = SeriesChanges.Apply(current, series, now);
        if (!eventChanged && !seriesChanged)
        {
            return Item(candidate, ImportActions.Skip, ["unchanged since the last import."], current);
        }

        var after = Snapshot(current);
        var changed = before.Where(kv => after[kv.Key] != kv.Value).Select(kv => kv.Key).ToList();
        if (seriesChanged)
        {
            changed.Add("series");
        }

        return Item(candidate, ImportActions.Update, [$"changes: {string.Join(", ", changed)}.", .. candidate.Notes], current);
    }

    /// <summary>
    /// Checks a candidate's series by the series API's rules. An EXDATE or override that names no date of the rule is
    /// dropped with a note (calendar programs ignore those too); any other problem skips the event.
    /// </summary>
    private static bool CheckSeries(Candidate candidate, ValidEvent valid, out ValidSeries? series, out List<string> reasons)
    {
        series = null;
        reasons = [];
        if (candidate.Series is not { } request)
        {
            return true;
        }

        VenueTime.TryFindZone(valid.TimeZoneId, out var zone);
        var errors = SeriesValidation.Validate(request, valid.StartsAtUtc, valid.EndsAtUtc, zone, out series);
        if (series is null && errors.ToDictionary().Keys.All(k => k.StartsWith("exceptions[", StringComparison.Ordinal) || k.StartsWith("overrides[", StringComparison.Ordinal)))
        {
            var bad = errors.ToDictionary().Keys.ToList();
            var exceptions = request.Exceptions!.Where((_, i) => !bad.Any(k => k.StartsWith($"exceptions[{i}]", StringComparison.Ordinal))).ToList();
            var overrides = request.Overrides!.Where((_, i) => !bad.Any(k => k.StartsWith($"overrides[{i}]", StringComparison.Ordinal))).ToList();
            candidate.Notes.Add($"{request.Exceptions!.Count - exceptions.Count} EXDATE(s) and {request.Overrides!.Count - overrides.Count} RECURRENCE-ID override(s) name no date of the series; ignored.");
            errors = SeriesValidation.Validate(request with { Exceptions = exceptions, Overrides = overrides }, valid.StartsAtUtc, valid.EndsAtUtc, zone, out series);
        }

        if (series is null)
        {
            reasons = [.. errors.ToDictionary().SelectMany(kv => kv.Value.Select(reason => $"{SeriesFieldName(kv.Key)} {reason}"))];
            return false;
        }

        return true;
    }

    private static string SeriesFieldName(string field) =>
        field == "rule" ? "RRULE" : field.StartsWith("exceptions", StringComparison.Ordinal) ? "EXDATE" : field.StartsWith("overrides", StringComparison.Ordinal) ? "RECURRENCE-ID" : field;

    private static Dictionary<string, string> Snapshot(Event e) => new(StringComparer.Ordinal)
    {
        ["title"] = e.Title,
        ["description"] = e.Description ?? "",
        ["startsAt"] = e.StartsAtUtc.Ticks.ToString(CultureInfo.InvariantCulture),
        ["endsAt"] = e.EndsAtUtc.Ticks.ToString(CultureInfo.InvariantCulture),
        ["timeZone"] = e.TimeZoneId,
        ["venue"] = $"{e.Venue?.Name}|{e.Venue?.Address}|{e.Venue?.Latitude?.ToString(CultureInfo.InvariantCulture)}|{e.Venue?.Longitude?.ToString(CultureInfo.InvariantCulture)}",
        ["onlineUrl"] = e.OnlineUrl ?? "",
        ["status"] = e.Status.ToString(),
        ["tags"] = string.Join(',', e.Tags),
        ["organiser"] = e.Organiser ?? "",
    };

    /// <summary>
    /// The slugs already used (deleted events included) that new events with these base slugs could collide with:
    /// each base and its numbered forms (<c>slug-2</c>, <c>slug-3</c>…), read in one query for the whole file rather
    /// than one or more per event.
    /// </summary>
    private async Task<HashSet<string>> SlugsTakenAsync(IEnumerable<string> baseSlugs, CancellationToken cancellationToken)
    {
        var bases = baseSlugs.Distinct(StringComparer.Ordinal).ToList();
        if (bases.Count == 0)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        // Slugs hold only a-z, 0-9 and '-', so a base never carries a LIKE wildcard.
        var taken = await db.Events.IgnoreQueryFilters()
            .Where(e => bases.Contains(e.Slug) || bases.Any(b => EF.Functions.Like(e.Slug, b + "-%")))
            .Select(e => e.Slug)
            .ToListAsync(cancellationToken);
        return new HashSet<string>(taken, StringComparer.Ordinal);
    }

    private static string FreeSlug(string baseSlug, HashSet<string> taken)
    {
        var candidate = baseSlug;
        for (var n = 2; taken.Contains(candidate); n++)
        {
            candidate = $"{baseSlug}-{n}";
        }

        taken.Add(candidate);
        return candidate;
    }

    private static ImportItem Item(Candidate candidate, string action, IReadOnlyList<string> reasons, Event? e = null) => new(
        candidate.Uid,
        e?.Title ?? candidate.Title,
        action,
        reasons,
        candidate.Line,
        e is null ? null : new DateTimeOffset(e.StartsAtUtc, TimeSpan.Zero),
        e is null ? null : new DateTimeOffset(e.EndsAtUtc, TimeSpan.Zero),
        e?.Slug);

    private static List<string> Reasons(Problems.ValidationErrors errors) =>
        [.. errors.ToDictionary().SelectMany(kv => kv.Value.Select(reason => $"{FieldName(kv.Key)} {reason}"))];

    // Validation speaks of the API's fields; the preview speaks of the file's properties.
    private static string FieldName(string field) => field switch
    {
        "title" => "SUMMARY",
        "startsAt" => "DTSTART",
        "endsAt" => "DTEND",
        "description" => "DESCRIPTION",
        "venue" => "LOCATION:",
        "venue.name" or "venue.address" => "LOCATION",
        "venue.latitude" or "venue.longitude" => "GEO",
        "onlineUrl" => "CONFERENCE/online URL",
        "timeZone" => "TZID",
        _ => field,
    };

    private static string RecurrenceKey(ICal.CalDateTime recurrenceId, TimeZoneResolver zones, ITimeZoneRules floating) =>
        recurrenceId.HasTime
            ? recurrenceId.ToUtc(zones, floating).ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)
            : recurrenceId.Value.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private TimeZoneInfo DefaultZone() => VenueTime.TryFindZone(_options.DefaultTimeZone, out var zone) ? zone : TimeZoneInfo.Utc;

    private static bool TryIanaZone(string tzId, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        return TimeZoneResolver.TryFindSystemTimeZone(tzId, out var found)
            && VenueTime.TryFindZone(TimeZoneResolver.GetIanaId(found), out zone);
    }

    private static bool IsHttpUrl(string value) =>
        value.Length <= EventLimits.Url && Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    private static string? Truncate(string? value, int max, string property, List<string> notes)
    {
        if (value is null || value.Length <= max)
        {
            return value;
        }

        notes.Add($"{property} shortened to {max} characters.");
        return value[..(max - 1)].TrimEnd() + "…";
    }
}
