using LiveHub.ICalendar.Recurrence;

namespace LiveHub.ICalendar.TimeZones;

/// <summary>
/// Builds a VTIMEZONE from <see cref="TimeZoneInfo"/> by probing offsets (adjustment rules differ between Linux and
/// Windows and carry odd values), then grouping the changes into yearly RRULE observances.
/// </summary>
internal static class VTimeZoneGenerator
{
    private static readonly TimeSpan ProbeStep = TimeSpan.FromHours(6);

    private sealed record Transition(DateTime Utc, TimeSpan Before, TimeSpan After)
    {
        public DateTime LocalOnset => DateTime.SpecifyKind(Utc + Before, DateTimeKind.Unspecified);

        public ObservanceKind Kind => After > Before ? ObservanceKind.Daylight : ObservanceKind.Standard;
    }

    public static VTimeZone Generate(TimeZoneInfo zone, int fromYear, int toYear)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (fromYear < 2 || toYear > 9990 || toYear < fromYear)
        {
            throw new ArgumentOutOfRangeException(nameof(toYear), "Year range must satisfy 2 <= fromYear <= toYear <= 9990.");
        }

        var tzId = TimeZoneResolver.GetIanaId(zone);
        var result = new VTimeZone(tzId) { Location = tzId };
        var transitions = FindTransitions(zone, fromYear, toYear);
        if (!transitions.Any(t => t.LocalOnset.Year == fromYear))
        {
            var offset = zone.GetUtcOffset(new DateTime(fromYear, 1, 1, 0, 0, 0, DateTimeKind.Utc));
            result.Observances.Add(new TimeZoneObservance
            {
                Kind = ObservanceKind.Standard,
                Start = new DateTime(fromYear, 1, 1, 0, 0, 0, DateTimeKind.Unspecified),
                OffsetFrom = offset,
                OffsetTo = offset,
            });
        }

        foreach (var group in GroupIntoYearlyRules(transitions))
        {
            result.Observances.Add(ToObservance(group, toYear));
        }

        return result;
    }

    private static List<Transition> FindTransitions(TimeZoneInfo zone, int fromYear, int toYear)
    {
        // Start a day early and stop a day late in UTC so changes near midnight on Jan 1 are seen in local terms.
        var from = new DateTime(fromYear, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(-1);
        var to = new DateTime(toYear + 1, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(1);
        var transitions = new List<Transition>();
        var previous = zone.GetUtcOffset(from);
        for (var probe = from + ProbeStep; probe <= to; probe += ProbeStep)
        {
            var current = zone.GetUtcOffset(probe);
            if (current == previous)
            {
                continue;
            }

            // Binary search to the second for the first instant with the new offset.
            var low = probe - ProbeStep;
            var high = probe;
            while (high - low > TimeSpan.FromSeconds(1))
            {
                var middle = low + TimeSpan.FromTicks((high - low).Ticks / 2 / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond);
                if (middle == low)
                {
                    middle = low + TimeSpan.FromSeconds(1);
                }

                if (zone.GetUtcOffset(middle) == previous)
                {
                    low = middle;
                }
                else
                {
                    high = middle;
                }
            }

            var transition = new Transition(high, previous, zone.GetUtcOffset(high));
            if (transition.LocalOnset.Year >= fromYear && transition.LocalOnset.Year <= toYear)
            {
                transitions.Add(transition);
            }

            previous = current;
        }

        return transitions;
    }

    /// <summary>
    /// Consecutive years of the same kind with equal offsets, month, weekday and local time and a common weekday
    /// ordinal (−1 preferred when every onset is in the month's last 7 days) become one group.
    /// </summary>
    private static List<List<(Transition Transition, int Ordinal)>> GroupIntoYearlyRules(List<Transition> transitions)
    {
        var groups = new List<(List<Transition> Items, HashSet<int> Ordinals)>();
        foreach (var kindTransitions in transitions.GroupBy(t => t.Kind))
        {
            (List<Transition> Items, HashSet<int> Ordinals)? open = null;
            foreach (var transition in kindTransitions.OrderBy(t => t.Utc))
            {
                var ordinals = PossibleOrdinals(transition.LocalOnset);
                if (open is { } current && Continues(current.Items[^1], transition)
                    && current.Ordinals.Overlaps(ordinals))
                {
                    current.Items.Add(transition);
                    current.Ordinals.IntersectWith(ordinals);
                    continue;
                }

                open = ([transition], ordinals);
                groups.Add(open.Value);
            }
        }

        return [.. groups
            .OrderBy(g => g.Items[0].Utc)
            .Select(g =>
            {
                var ordinal = g.Ordinals.Contains(-1) ? -1 : g.Ordinals.First();
                return g.Items.Select(t => (t, ordinal)).ToList();
            })];
    }

    private static HashSet<int> PossibleOrdinals(DateTime localOnset)
    {
        var ordinals = new HashSet<int> { ((localOnset.Day - 1) / 7) + 1 };
        if (localOnset.Day > DateTime.DaysInMonth(localOnset.Year, localOnset.Month) - 7)
        {
            ordinals.Add(-1);
        }

        return ordinals;
    }

    private static bool Continues(Transition previous, Transition next)
    {
        var a = previous.LocalOnset;
        var b = next.LocalOnset;
        return b.Year == a.Year + 1 && a.Month == b.Month && a.DayOfWeek == b.DayOfWeek && a.TimeOfDay == b.TimeOfDay
            && previous.Before == next.Before && previous.After == next.After;
    }

    private static TimeZoneObservance ToObservance(List<(Transition Transition, int Ordinal)> group, int toYear)
    {
        var first = group[0].Transition;
        var last = group[^1].Transition;
        var observance = new TimeZoneObservance
        {
            Kind = first.Kind,
            Start = first.LocalOnset,
            OffsetFrom = first.Before,
            OffsetTo = first.After,
        };
        if (group.Count > 1)
        {
            var rule = new RecurrencePattern(FrequencyType.Yearly);
            rule.ByMonth.Add(first.LocalOnset.Month);
            rule.ByDay.Add(new WeekDay(first.LocalOnset.DayOfWeek, group[0].Ordinal));
            if (last.LocalOnset.Year < toYear)
            {
                rule.Until = CalDateTime.FromUtc(last.Utc);
            }

            observance.RecurrenceRule = rule;
        }

        return observance;
    }
}
