using System.Globalization;
using LiveHub.Events;

namespace LiveHub.Pages;

/// <summary>Formatting shared by the public pages: British English, venue time with the zone named.</summary>
public static class Display
{
    public static readonly CultureInfo Culture = CultureInfo.GetCultureInfo("en-GB");

    public static string Date(DateTimeOffset local) => local.ToString("ddd d MMM yyyy", Culture);

    public static string Time(DateTimeOffset local) => local.ToString("HH:mm", Culture);

    /// <summary>"Wed 5 Nov 2025, 11:00–16:00" or across days "Wed 5 Nov 2025 11:00 – Thu 6 Nov 2025 17:00".</summary>
    public static string Range(TimeRange when) =>
        when.StartsAtLocal.Date == when.EndsAtLocal.Date
            ? $"{Date(when.StartsAtLocal)}, {Time(when.StartsAtLocal)}–{Time(when.EndsAtLocal)}"
            : $"{Date(when.StartsAtLocal)} {Time(when.StartsAtLocal)} – {Date(when.EndsAtLocal)} {Time(when.EndsAtLocal)}";

    public static string Zone(TimeRange when) => $"{when.ZoneName} ({when.TimeZone})";

    public static string Iso(DateTimeOffset value) => value.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    public static string StatusLabel(EventStatus status) => status switch
    {
        EventStatus.Postponed => "Postponed",
        EventStatus.Cancelled => "Cancelled",
        _ => "Scheduled",
    };
}
