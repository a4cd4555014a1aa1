using LiveHub.ICalendar.TimeZones;

namespace LiveHub.ICalendar.Recurrence;

internal static class OccurrenceCalculator
{
    public static List<Occurrence> Calculate(
        CalendarEvent calendarEvent,
        DateTime windowStartUtc,
        DateTime windowEndUtc,
        TimeZoneResolver zones,
        EvaluationOptions options,
        IEnumerable<CalendarEvent>? overrides)
    {
        var result = new List<Occurrence>();
        if (calendarEvent.Start is not { } start)
        {
            return result;
        }

        windowStartUtc = AsUtc(windowStartUtc);
        windowEndUtc = AsUtc(windowEndUtc);
        var frame = new Frame(start, calendarEvent, zones, options.FloatingTimeZone ?? SystemTimeZoneRules.Utc);
        var overrideList = (overrides ?? []).Where(o => o.RecurrenceId is not null && o.Start is not null).ToList();

        if (calendarEvent.RecurrenceId is { } ownRecurrenceId)
        {
            AddIfInWindow(result, frame.Single(calendarEvent, start.Value, ownRecurrenceId), windowStartUtc, windowEndUtc);
            return result;
        }

        var instances = new SortedDictionary<DateTime, DateTime>();
        instances[frame.WallToUtc(start.Value)] = start.Value;
        foreach (var rule in calendarEvent.RecurrenceRules)
        {
            foreach (var wall in RecurrenceEngine.Enumerate(start.Value, start.HasTime, rule, frame.WallToUtc, options.MaxUnmatchedIncrements, options.MaxIncrements))
            {
                var utc = frame.WallToUtc(wall);
                if (utc >= windowEndUtc)
                {
                    break;
                }

                instances.TryAdd(utc, wall);
            }
        }

        foreach (var date in calendarEvent.RecurrenceDates)
        {
            var wall = frame.ToOwnWall(date);
            instances.TryAdd(frame.WallToUtc(wall), wall);
        }

        var excludedInstants = new HashSet<DateTime>();
        var excludedDates = new HashSet<DateOnly>();
        foreach (var excluded in calendarEvent.ExceptionDates)
        {
            if (excluded.HasTime)
            {
                excludedInstants.Add(frame.ToUtc(excluded));
            }
            else
            {
                excludedDates.Add(excluded.Date);
            }
        }

        var overriddenInstants = new HashSet<DateTime>();
        var overriddenDates = new HashSet<DateOnly>();
        foreach (var item in overrideList)
        {
            var recurrenceId = item.RecurrenceId!.Value;
            if (recurrenceId.HasTime)
            {
                overriddenInstants.Add(frame.ToUtc(recurrenceId));
            }
            else
            {
                overriddenDates.Add(recurrenceId.Date);
            }
        }

        foreach (var (utc, wall) in instances)
        {
            var date = DateOnly.FromDateTime(wall);
            if (excludedInstants.Contains(utc) || excludedDates.Contains(date)
                || overriddenInstants.Contains(utc) || overriddenDates.Contains(date))
            {
                continue;
            }

            AddIfInWindow(result, frame.Single(calendarEvent, wall, start.WithValue(wall)), windowStartUtc, windowEndUtc);
            CheckLimit(result, options);
        }

        foreach (var item in overrideList)
        {
            var overrideFrame = new Frame(item.Start!.Value, item, zones, options.FloatingTimeZone ?? SystemTimeZoneRules.Utc);
            AddIfInWindow(result, overrideFrame.Single(item, item.Start.Value.Value, item.RecurrenceId!.Value), windowStartUtc, windowEndUtc);
            CheckLimit(result, options);
        }

        result.Sort(Occurrence.Compare);
        return result;
    }

    private static DateTime AsUtc(DateTime value) =>
        value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc);

    private static void CheckLimit(List<Occurrence> result, EvaluationOptions options)
    {
        if (result.Count > options.MaxOccurrences)
        {
            throw new EvaluationLimitExceededException($"more than {options.MaxOccurrences} occurrences in the window");
        }
    }

    private static void AddIfInWindow(List<Occurrence> result, Occurrence occurrence, DateTime windowStartUtc, DateTime windowEndUtc)
    {
        var overlaps = occurrence.StartUtc < windowEndUtc
            && (occurrence.EndUtc > windowStartUtc || (occurrence.EndUtc == occurrence.StartUtc && occurrence.StartUtc >= windowStartUtc));
        if (overlaps)
        {
            result.Add(occurrence);
        }
    }

    /// <summary>How to read one event's values: its zone rules and the length of each instance.</summary>
    private sealed class Frame
    {
        private readonly CalDateTime _start;
        private readonly ITimeZoneRules _wallRules;
        private readonly TimeZoneResolver _zones;
        private readonly ITimeZoneRules _floating;
        private readonly TimeSpan _nominalLength;
        private readonly TimeSpan _exactLength;

        public Frame(CalDateTime start, CalendarEvent calendarEvent, TimeZoneResolver zones, ITimeZoneRules floating)
        {
            _start = start;
            _zones = zones;
            _floating = floating;
            _wallRules = start.IsUtc ? SystemTimeZoneRules.Utc
                : start.TzId is not null && zones.TryResolve(start.TzId, out var rules) ? rules
                : floating;
            if (calendarEvent.End is { } end)
            {
                if (end.Kind == start.Kind && end.TzId == start.TzId)
                {
                    _nominalLength = end.Value - start.Value;
                }
                else
                {
                    _exactLength = ToUtc(end) - ToUtc(start);
                }
            }
            else if (calendarEvent.Duration is { } duration)
            {
                // Whole days of a DURATION are nominal (same wall time next day); the rest is exact.
                _nominalLength = TimeSpan.FromDays(duration.Days);
                _exactLength = duration - _nominalLength;
            }
            else if (!start.HasTime)
            {
                _nominalLength = TimeSpan.FromDays(1);
            }

            if (_nominalLength < TimeSpan.Zero || _exactLength < TimeSpan.Zero)
            {
                _nominalLength = TimeSpan.Zero;
                _exactLength = TimeSpan.Zero;
            }
        }

        public DateTime WallToUtc(DateTime wall) => _start.IsUtc ? DateTime.SpecifyKind(wall, DateTimeKind.Utc) : _wallRules.ToUtc(wall);

        public DateTime ToUtc(CalDateTime value) => value.ToUtc(_zones, _floating);

        /// <summary>Expresses another value (RDATE) as a wall time in this event's frame.</summary>
        public DateTime ToOwnWall(CalDateTime value)
        {
            if (value.Kind == _start.Kind && value.TzId == _start.TzId)
            {
                return value.Value;
            }

            if (!value.HasTime || !_start.HasTime)
            {
                return value.Date.ToDateTime(TimeOnly.FromDateTime(_start.Value));
            }

            var utc = ToUtc(value);
            return _start.IsUtc ? utc : _wallRules.ToLocal(utc);
        }

        public Occurrence Single(CalendarEvent source, DateTime wall, CalDateTime recurrenceId)
        {
            var startValue = _start.WithValue(wall);
            var startUtc = WallToUtc(wall);
            var endWall = DateMath.AddClamped(wall, _nominalLength);
            var endUtc = DateMath.AddClamped(WallToUtc(endWall), _exactLength);
            var endValue = _exactLength == TimeSpan.Zero ? _start.WithValue(endWall)
                : _start.IsUtc ? CalDateTime.FromUtc(endUtc)
                : _start.TzId is not null ? _start.WithValue(_wallRules.ToLocal(endUtc))
                : _start.WithValue(DateMath.AddClamped(endWall, _exactLength));
            return new Occurrence(source, startValue, endValue, startUtc, endUtc, recurrenceId);
        }
    }
}
