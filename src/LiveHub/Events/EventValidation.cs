using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using LiveHub.Problems;

namespace LiveHub.Events;

/// <summary>An event request that passed validation, with times resolved to UTC.</summary>
public sealed record ValidEvent(
    string? Slug,
    string Title,
    string? Summary,
    string? Description,
    DateTime StartsAtUtc,
    DateTime EndsAtUtc,
    string TimeZoneId,
    string? VenueName,
    string? VenueAddress,
    double? VenueLatitude,
    double? VenueLongitude,
    string? OnlineUrl,
    EventStatus Status,
    List<string> Tags,
    string? Organiser,
    string? ImageUrl,
    bool IsPublished,
    string? LiveByline = null,
    string? VenueSlug = null,
    string? TitleCy = null,
    string? SummaryCy = null,
    string? DescriptionCy = null);

public sealed record ValidSession(
    string Title,
    string? Description,
    DateTime StartsAtUtc,
    DateTime EndsAtUtc,
    string? Room,
    string? Track,
    Guid? ChairId,
    List<Guid> SpeakerIds,
    EventStatus Status,
    CoverageState Coverage,
    string? TitleCy = null,
    string? DescriptionCy = null);

public sealed record ValidSpeaker(
    string Name, string? Role, string? Affiliation, string? BlueskyHandle, string? Bio, string? Slug, string? PhotoUrl, string? PhotoAltText, List<string> Links, string? BioCy = null);

public static partial class EventValidation
{
    public static readonly TimeSpan MaxEventLength = TimeSpan.FromDays(31);

    [GeneratedRegex("^[a-z0-9]+(?:-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex SlugPattern();

    [GeneratedRegex("^[a-z0-9]+(?:-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();

    // Bluesky handles are domain names: labels of letters, digits and hyphens, at least two labels.
    [GeneratedRegex("^(?=.{3,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex HandlePattern();

    public static ValidationErrors Validate(EventWriteRequest request, out ValidEvent? valid)
    {
        valid = null;
        var errors = new ValidationErrors();

        var slug = Clean(request.Slug);
        if (slug is not null)
        {
            errors.MaxLength("slug", slug, EventLimits.Slug);
            if (!SlugPattern().IsMatch(slug))
            {
                errors.Add("slug", "may contain only lower-case letters, digits and single hyphens between them, like 'spring-conference-2026'.");
            }
        }

        var title = Clean(request.Title);
        errors.Required("title", title);
        errors.MaxLength("title", title, EventLimits.Title);
        var summary = Clean(request.Summary);
        errors.MaxLength("summary", summary, EventLimits.Summary);
        var description = CleanMultiline(request.Description);
        errors.MaxLength("description", description, EventLimits.Description);
        var titleCy = Clean(request.TitleCy);
        errors.MaxLength("titleCy", titleCy, EventLimits.Title);
        var summaryCy = Clean(request.SummaryCy);
        errors.MaxLength("summaryCy", summaryCy, EventLimits.Summary);
        var descriptionCy = CleanMultiline(request.DescriptionCy);
        errors.MaxLength("descriptionCy", descriptionCy, EventLimits.Description);
        WelshNeedsTitle(errors, titleCy, summaryCy ?? descriptionCy);

        var zoneId = Clean(request.TimeZone);
        var zone = TimeZoneInfo.Utc;
        if (errors.Required("timeZone", zoneId) && !VenueTime.TryFindZone(zoneId, out zone))
        {
            errors.Add("timeZone", $"'{zoneId}' is not a known IANA time zone id (for example 'Europe/London').");
        }

        var (startsAt, endsAt) = ValidateRange(errors, request.StartsAt, request.EndsAt, zone, MaxEventLength);

        var venueName = Clean(request.Venue?.Name);
        var venueAddress = Clean(request.Venue?.Address);
        errors.MaxLength("venue.name", venueName, EventLimits.VenueName);
        errors.MaxLength("venue.address", venueAddress, EventLimits.VenueAddress);
        var latitude = request.Venue?.Latitude;
        var longitude = request.Venue?.Longitude;
        if (latitude is { } lat && (double.IsNaN(lat) || lat is < -90 or > 90))
        {
            errors.Add("venue.latitude", "must be between -90 and 90.");
        }

        if (longitude is { } lon && (double.IsNaN(lon) || lon is < -180 or > 180))
        {
            errors.Add("venue.longitude", "must be between -180 and 180.");
        }

        if (latitude.HasValue != longitude.HasValue)
        {
            errors.Add(latitude.HasValue ? "venue.longitude" : "venue.latitude", "latitude and longitude must be given together.");
        }

        if (venueName is null && (venueAddress is not null || latitude.HasValue))
        {
            errors.Add("venue.name", "is required when the venue has an address or coordinates.");
        }

        var venueSlug = ValidateSlug(errors, "venueSlug", request.VenueSlug, Venues.VenueLimits.Slug, "the-exchange");
        if (venueSlug is not null && venueName is not null)
        {
            errors.Add("venueSlug", "give either venueSlug (a venue the hub knows) or venue (name, address…), not both.");
        }

        var onlineUrl = Clean(request.OnlineUrl);
        errors.HttpUrl("onlineUrl", onlineUrl, EventLimits.Url);
        if (venueName is null && venueSlug is null && onlineUrl is null)
        {
            errors.Add("venue", "an event needs a venue, an online join URL, or both.");
        }

        var tags = new List<string>();
        if (request.Tags is { } rawTags)
        {
            if (rawTags.Count > EventLimits.TagCount)
            {
                errors.Add("tags", $"at most {EventLimits.TagCount} tags (got {rawTags.Count}).");
            }

            for (var i = 0; i < rawTags.Count; i++)
            {
                var tag = Clean(rawTags[i])?.ToLowerInvariant();
                if (tag is null || tag.Length > EventLimits.Tag || !TagPattern().IsMatch(tag))
                {
                    errors.Add($"tags[{i}]", $"must be 1 to {EventLimits.Tag} lower-case letters, digits or hyphens, like 'esrc-festival'.");
                }
                else if (!tags.Contains(tag))
                {
                    tags.Add(tag);
                }
            }
        }

        var organiser = Clean(request.Organiser);
        errors.MaxLength("organiser", organiser, EventLimits.Organiser);
        var imageUrl = Clean(request.ImageUrl);
        errors.HttpUrl("imageUrl", imageUrl, EventLimits.Url);
        var byline = Clean(request.LiveByline);
        errors.MaxLength("liveByline", byline, EventLimits.Organiser);
        if (Staff.StaffNames.LooksLikeEmail(byline))
        {
            errors.Add("liveByline", "must not be an email address: it is shown to the public on every live post.");
        }

        if (!errors.HasErrors)
        {
            valid = new ValidEvent(slug, title!, summary, description, startsAt, endsAt, zone.Id, venueName, venueAddress,
                latitude, longitude, onlineUrl, request.Status ?? EventStatus.Scheduled, tags, organiser, imageUrl, request.IsPublished ?? false, byline, venueSlug, titleCy, summaryCy, descriptionCy);
        }

        return errors;
    }

    public static ValidationErrors Validate(SessionWriteRequest request, Event owner, out ValidSession? valid)
    {
        valid = null;
        var errors = new ValidationErrors();
        var title = Clean(request.Title);
        errors.Required("title", title);
        errors.MaxLength("title", title, EventLimits.Title);
        var description = CleanMultiline(request.Description);
        errors.MaxLength("description", description, EventLimits.Description);
        var titleCy = Clean(request.TitleCy);
        errors.MaxLength("titleCy", titleCy, EventLimits.Title);
        var descriptionCy = CleanMultiline(request.DescriptionCy);
        errors.MaxLength("descriptionCy", descriptionCy, EventLimits.Description);
        WelshNeedsTitle(errors, titleCy, descriptionCy);
        VenueTime.TryFindZone(owner.TimeZoneId, out var zone);
        var (startsAt, endsAt) = ValidateRange(errors, request.StartsAt, request.EndsAt, zone, MaxEventLength);
        if (!errors.Has("startsAt") && !errors.Has("endsAt") && (startsAt < owner.StartsAtUtc || endsAt > owner.EndsAtUtc))
        {
            var local = VenueTime.ToLocal(owner.StartsAtUtc, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
            var localEnd = VenueTime.ToLocal(owner.EndsAtUtc, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
            errors.Add(startsAt < owner.StartsAtUtc ? "startsAt" : "endsAt", $"the session must fall within its event ({local} to {localEnd} {zone.Id}).");
        }

        var room = Clean(request.Room);
        errors.MaxLength("room", room, EventLimits.Room);
        var track = Clean(request.Track);
        errors.MaxLength("track", track, EventLimits.Room);
        var speakerIds = request.SpeakerIds?.ToList() ?? [];
        if (speakerIds.Count > EventLimits.SpeakersPerSession)
        {
            errors.Add("speakerIds", $"at most {EventLimits.SpeakersPerSession} speakers per session (got {speakerIds.Count}).");
        }

        if (speakerIds.Distinct().Count() != speakerIds.Count)
        {
            errors.Add("speakerIds", "lists the same speaker more than once.");
        }

        if (!errors.HasErrors)
        {
            valid = new ValidSession(title!, description, startsAt, endsAt, room, track, request.ChairId, speakerIds,
                request.Status ?? EventStatus.Scheduled, request.Coverage ?? CoverageState.Upcoming, titleCy, descriptionCy);
        }

        return errors;
    }

    public static ValidationErrors Validate(SpeakerWriteRequest request, out ValidSpeaker? valid)
    {
        valid = null;
        var errors = new ValidationErrors();
        var name = Clean(request.Name);
        errors.Required("name", name);
        errors.MaxLength("name", name, SpeakerLimits.Name);
        var role = Clean(request.Role);
        errors.MaxLength("role", role, SpeakerLimits.Role);
        var affiliation = Clean(request.Affiliation);
        errors.MaxLength("affiliation", affiliation, SpeakerLimits.Affiliation);
        var handle = Clean(request.BlueskyHandle)?.TrimStart('@').ToLowerInvariant();
        if (handle is not null && !HandlePattern().IsMatch(handle))
        {
            errors.Add("blueskyHandle", "must be a Bluesky handle such as 'name.bsky.social' (a domain name, without spaces).");
        }

        var bio = CleanMultiline(request.Bio);
        errors.MaxLength("bio", bio, SpeakerLimits.Bio);
        var bioCy = CleanMultiline(request.BioCy);
        errors.MaxLength("bioCy", bioCy, SpeakerLimits.Bio);
        var slug = ValidateSlug(errors, "slug", request.Slug, SpeakerLimits.Slug, "ada-lovelace");
        var photoUrl = Clean(request.PhotoUrl);
        errors.HttpUrl("photoUrl", photoUrl, EventLimits.Url);
        if (photoUrl is not null && !errors.Has("photoUrl") && !photoUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add("photoUrl", "must be an https:// URL (browsers block images over plain http on a secure page).");
        }
        var photoAltText = Clean(request.PhotoAltText);
        errors.MaxLength("photoAltText", photoAltText, SpeakerLimits.PhotoAltText);
        if (photoUrl is not null && photoAltText is null)
        {
            errors.Add("photoAltText", "is required with a photo: describe it for people who cannot see it.");
        }

        var links = new List<string>();
        if (request.Links is { } rawLinks)
        {
            if (rawLinks.Count > SpeakerLimits.LinkCount)
            {
                errors.Add("links", $"at most {SpeakerLimits.LinkCount} links (got {rawLinks.Count}).");
            }

            for (var i = 0; i < rawLinks.Count; i++)
            {
                var link = Clean(rawLinks[i]);
                if (link is null)
                {
                    errors.Add($"links[{i}]", "must not be empty.");
                }
                else
                {
                    errors.HttpUrl($"links[{i}]", link, EventLimits.Url);
                    if (!errors.Has($"links[{i}]") && !links.Contains(link))
                    {
                        links.Add(link);
                    }
                }
            }
        }

        if (!errors.HasErrors)
        {
            valid = new ValidSpeaker(name!, role, affiliation, handle, bio, slug, photoUrl, photoAltText, links, bioCy);
        }

        return errors;
    }

    /// <summary>An optional slug given by staff: lower-case letters, digits and single hyphens.</summary>
    internal static string? ValidateSlug(ValidationErrors errors, string field, string? value, int maxLength, string example)
    {
        var slug = Clean(value);
        if (slug is null)
        {
            return null;
        }

        errors.MaxLength(field, slug, maxLength);
        if (!SlugPattern().IsMatch(slug))
        {
            errors.Add(field, $"may contain only lower-case letters, digits and single hyphens between them, like '{example}'.");
        }

        return slug;
    }

    /// <summary>Builds a URL slug from a title: "Inform, Influence, Inspire" becomes "inform-influence-inspire".</summary>
    /// <summary>Welsh text is shown under a Welsh title: a Welsh summary or description without one would sit under the English title.</summary>
    private static void WelshNeedsTitle(ValidationErrors errors, string? titleCy, string? otherWelshText)
    {
        if (titleCy is null && otherWelshText is not null)
        {
            errors.Add("titleCy", "is required when there is other Welsh text (the Welsh title is shown above it).");
        }
    }

    public static string SlugFromTitle(string title)
    {
        var decomposed = title.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        var pendingHyphen = false;
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            if (char.IsAsciiLetterOrDigit(c))
            {
                if (pendingHyphen && builder.Length > 0)
                {
                    builder.Append('-');
                }

                builder.Append(char.ToLowerInvariant(c));
                pendingHyphen = false;
            }
            else
            {
                pendingHyphen = true;
            }

            if (builder.Length >= EventLimits.Slug - 8)
            {
                break;
            }
        }

        return builder.Length == 0 ? "event" : builder.ToString().TrimEnd('-');
    }

    private static (DateTime Start, DateTime End) ValidateRange(ValidationErrors errors, string? startsAtText, string? endsAtText, TimeZoneInfo zone, TimeSpan maxLength)
    {
        DateTime startsAt = default, endsAt = default;
        var startOk = errors.Required("startsAt", startsAtText);
        var endOk = errors.Required("endsAt", endsAtText);
        if (startOk && !VenueTime.TryParse(startsAtText, zone, out startsAt))
        {
            errors.Add("startsAt", "must be an ISO 8601 date and time, like '2026-11-05T11:00' (venue time) or '2026-11-05T11:00:00Z'.");
            startOk = false;
        }

        if (endOk && !VenueTime.TryParse(endsAtText, zone, out endsAt))
        {
            errors.Add("endsAt", "must be an ISO 8601 date and time, like '2026-11-05T16:00' (venue time) or '2026-11-05T16:00:00Z'.");
            endOk = false;
        }

        if (startOk && endOk)
        {
            if (endsAt <= startsAt)
            {
                errors.Add("endsAt", "must be after startsAt.");
            }
            else if (endsAt - startsAt > maxLength)
            {
                errors.Add("endsAt", $"must be within {maxLength.TotalDays:0} days of startsAt.");
            }
        }

        return (startsAt, endsAt);
    }

    internal static string? Clean(string? value)
    {
        if (value is null)
        {
            return null;
        }

        // Single-line fields: control characters (CR/LF included) never belong there.
        var cleaned = new string(value.Where(c => !char.IsControl(c)).ToArray()).Trim();
        return cleaned.Length == 0 ? null : cleaned;
    }

    internal static string? CleanMultiline(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var cleaned = new string(value.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n')
            .Where(c => c == '\n' || c == '\t' || !char.IsControl(c)).ToArray()).Trim();
        return cleaned.Length == 0 ? null : cleaned;
    }
}
