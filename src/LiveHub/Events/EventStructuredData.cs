using LiveHub.Localisation;
using LiveHub.Pages;

namespace LiveHub.Events;

/// <summary>
/// schema.org Event data for event and session pages (what search engines show as event listings). URLs are absolute,
/// from the public base URL; dates carry the venue's offset. Serialised with <see cref="JsonLdScript"/>.
/// </summary>
public static class EventStructuredData
{
    public static string ForEvent(EventDetailResponse e, string baseUrl)
    {
        var title = Bilingual.Pick(e.Title, e.TitleCy);
        var about = Bilingual.Pick(e.Summary, e.SummaryCy) is { IsEmpty: false } summary ? summary : Bilingual.Pick(e.Description, e.DescriptionCy);
        var document = Core(e, title, about.Text, e.When, e.Status, baseUrl + e.PageUrl, e.Speakers.Select(s => Person(s, baseUrl)), baseUrl);
        var sessions = e.Sessions.Where(s => s.Status != EventStatus.Cancelled).ToList();
        if (sessions.Count > 0)
        {
            document["subEvent"] = sessions.Select(s => new Dictionary<string, object?>
            {
                ["@type"] = "Event",
                ["name"] = Bilingual.Pick(s.Title, s.TitleCy).Text,
                ["startDate"] = Display.Iso(s.When.StartsAtLocal),
                ["endDate"] = Display.Iso(s.When.EndsAtLocal),
                ["url"] = baseUrl + SessionPageUrl(e.Slug, s.Id),
            }).ToList();
        }

        return JsonLdScript.Serialize(document);
    }

    public static string ForSession(EventDetailResponse e, SessionResponse s, string baseUrl)
    {
        var people = e.Speakers.Where(p => s.Chair?.Id == p.Id || s.Speakers.Any(x => x.Id == p.Id)).Select(p => Person(p, baseUrl));
        var status = e.Status == EventStatus.Scheduled ? s.Status : e.Status;
        var document = Core(e, Bilingual.Pick(s.Title, s.TitleCy), Bilingual.Pick(s.Description, s.DescriptionCy).Text, s.When, status, baseUrl + SessionPageUrl(e.Slug, s.Id), people, baseUrl);
        document["superEvent"] = new Dictionary<string, object?> { ["@type"] = "Event", ["name"] = Bilingual.Pick(e.Title, e.TitleCy).Text, ["url"] = baseUrl + e.PageUrl };
        return JsonLdScript.Serialize(document);
    }

    public static string SessionPageUrl(string eventSlug, Guid sessionId) => $"/events/{eventSlug}/sessions/{sessionId}";

    private static Dictionary<string, object?> Core(
        EventDetailResponse e, ShownText name, string? description, TimeRange when, EventStatus status, string url, IEnumerable<Dictionary<string, object?>> performers, string baseUrl)
    {
        var locations = new List<Dictionary<string, object?>>();
        if (e.Venue is { } venue)
        {
            var place = new Dictionary<string, object?> { ["@type"] = "Place", ["name"] = venue.Name };
            if (venue.Address is not null)
            {
                place["address"] = new Dictionary<string, object?> { ["@type"] = "PostalAddress", ["streetAddress"] = venue.Address };
            }

            if (venue.Latitude is { } lat && venue.Longitude is { } lon)
            {
                place["geo"] = new Dictionary<string, object?> { ["@type"] = "GeoCoordinates", ["latitude"] = lat, ["longitude"] = lon };
            }

            if (venue.PageUrl is not null)
            {
                place["url"] = baseUrl + venue.PageUrl;
            }

            locations.Add(place);
        }

        if (e.OnlineUrl is not null)
        {
            locations.Add(new Dictionary<string, object?> { ["@type"] = "VirtualLocation", ["url"] = e.OnlineUrl });
        }

        var document = new Dictionary<string, object?>
        {
            ["@context"] = "https://schema.org",
            ["@type"] = "Event",
            ["name"] = name.Text,
            // The language of the name and description: the reader's where the event has it (schema.org takes a BCP 47 tag).
            ["inLanguage"] = SiteCultures.HtmlLang(name.Language),
            ["url"] = url,
            ["startDate"] = Display.Iso(when.StartsAtLocal),
            ["endDate"] = Display.Iso(when.EndsAtLocal),
            // LiveHub keeps no earlier dates, so it cannot tell a rescheduled event (schema.org's EventRescheduled needs
            // previousStartDate) from one that was always planned so: a postponed one says EventPostponed.
            ["eventStatus"] = status switch
            {
                EventStatus.Cancelled => "https://schema.org/EventCancelled",
                EventStatus.Postponed => "https://schema.org/EventPostponed",
                _ => "https://schema.org/EventScheduled",
            },
            ["eventAttendanceMode"] = (e.Venue, e.OnlineUrl) switch
            {
                ({ }, { }) => "https://schema.org/MixedEventAttendanceMode",
                (null, { }) => "https://schema.org/OnlineEventAttendanceMode",
                _ => "https://schema.org/OfflineEventAttendanceMode",
            },
            ["location"] = locations.Count == 1 ? locations[0] : locations,
        };
        if (description is not null)
        {
            document["description"] = description;
        }

        var people = performers.ToList();
        if (people.Count > 0)
        {
            document["performer"] = people;
        }

        if (e.Organiser is not null)
        {
            document["organizer"] = new Dictionary<string, object?> { ["@type"] = "Organization", ["name"] = e.Organiser };
        }

        if (e.ImageUrl is not null)
        {
            document["image"] = e.ImageUrl;
        }

        return document;
    }

    private static Dictionary<string, object?> Person(SpeakerResponse s, string baseUrl)
    {
        var person = new Dictionary<string, object?> { ["@type"] = "Person", ["name"] = s.Name, ["url"] = baseUrl + s.PageUrl };
        if (s.Role is not null)
        {
            person["jobTitle"] = s.Role;
        }

        if (s.Affiliation is not null)
        {
            person["affiliation"] = new Dictionary<string, object?> { ["@type"] = "Organization", ["name"] = s.Affiliation };
        }

        if (s.PhotoUrl is not null)
        {
            person["image"] = s.PhotoUrl;
        }

        return person;
    }
}
