using System.Globalization;
using LiveHub.Events;
using LiveHub.Localisation;
using Microsoft.Extensions.Localization;

namespace LiveHub.Pages;

/// <summary>Formatting shared by the public pages: British English or Welsh (the reader's language), venue time with the zone named.</summary>
public static class Display
{
    public static CultureInfo Culture => SiteCultures.Formatting;

    public static string Date(DateTimeOffset local) => local.ToString("ddd d MMM yyyy", Culture);

    public static string Time(DateTimeOffset local) => local.ToString("HH:mm", Culture);

    /// <summary>"Wed 5 Nov 2025, 11:00–16:00" or across days "Wed 5 Nov 2025 11:00 – Thu 6 Nov 2025 17:00".</summary>
    public static string Range(TimeRange when) =>
        when.StartsAtLocal.Date == when.EndsAtLocal.Date
            ? $"{Date(when.StartsAtLocal)}, {Time(when.StartsAtLocal)}–{Time(when.EndsAtLocal)}"
            : $"{Date(when.StartsAtLocal)} {Time(when.StartsAtLocal)} – {Date(when.EndsAtLocal)} {Time(when.EndsAtLocal)}";

    public static string Zone(TimeRange when) => $"{when.ZoneName} ({when.TimeZone})";

    /// <summary>The zone with its name in the reader's language where Strings.resx has it ("Amser Safonol Greenwich").</summary>
    public static string Zone(TimeRange when, IStringLocalizer localizer) => $"{localizer[when.ZoneName]} ({when.TimeZone})";

    public static string Iso(DateTimeOffset value) => value.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>The English status label: the key of its text in Strings.resx.</summary>
    public static string StatusLabel(EventStatus status) => status switch
    {
        EventStatus.Postponed => "Postponed",
        EventStatus.Cancelled => "Cancelled",
        _ => "Scheduled",
    };
}
