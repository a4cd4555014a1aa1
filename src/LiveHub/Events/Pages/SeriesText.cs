using System.Globalization;
using LiveHub.ICalendar.Recurrence;

namespace LiveHub.Events.Pages;

/// <summary>A series' rule in words for its page: "Repeats every 2 weeks, 6 dates in all".</summary>
public static class SeriesText
{
    public static string Describe(SeriesResponse series, TimeRange first)
    {
        if (!RecurrencePattern.TryParse(series.Rule, out var rule, out _))
        {
            return "Repeats";
        }

        var unit = rule.Frequency switch
        {
            FrequencyType.Daily => "day",
            FrequencyType.Weekly => "week",
            FrequencyType.Monthly => "month",
            _ => "year",
        };
        var text = rule.Interval == 1 ? $"Repeats every {unit}" : $"Repeats every {rule.Interval} {unit}s";
        if (rule.Count is { } count)
        {
            text += $", {count} dates in all";
        }
        else if (rule.Until is { } until)
        {
            var zone = VenueTime.TryFindZone(first.TimeZone, out var z) ? z : TimeZoneInfo.Utc;
            text += $" until {VenueTime.ToLocal(until.Value, zone).ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}";
        }

        return text + (series.Exceptions.Count > 0 ? $" (except {series.Exceptions.Count} date{(series.Exceptions.Count == 1 ? "" : "s")})" : "") + ".";
    }
}
