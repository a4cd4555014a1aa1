namespace LiveHub.ICalendar.Recurrence;

/// <summary>
/// Expands one RRULE into wall-clock start times. Works purely on local (wall) time so a series keeps its local
/// time across DST changes; the caller converts each instance to UTC.
/// </summary>
internal static class RecurrenceEngine
{
    private const int LastSafeYear = 9998;

    /// <summary>
    /// Yields DTSTART first (it always counts towards COUNT), then every rule instance after it, in order.
    /// Stops at COUNT/UNTIL, after <paramref name="maxEmptyPeriods"/> consecutive periods without an instance
    /// (a rule that can never match again), or at the end of the DateTime range.
    /// </summary>
    /// <param name="wallToUtc">Converts a wall time to UTC for comparing against a UTC UNTIL; null for floating.</param>
    /// <param name="maxPeriods">Hard cap on periods visited; exceeding it throws EvaluationLimitExceededException.</param>
    public static IEnumerable<DateTime> Enumerate(
        DateTime start,
        bool startHasTime,
        RecurrencePattern rule,
        Func<DateTime, DateTime>? wallToUtc,
        int maxEmptyPeriods,
        long maxPeriods)
    {
        start = DateTime.SpecifyKind(start, DateTimeKind.Unspecified);
        if (IsBeyondUntil(start, startHasTime, rule, wallToUtc))
        {
            yield break;
        }

        yield return start;
        var emitted = 1;
        if (rule.Count is { } firstCount && emitted >= firstCount)
        {
            yield break;
        }

        var interval = Math.Max(1, rule.Interval);
        var emptyPeriods = 0;
        var buffer = new List<DateTime>();
        for (long period = 0; ; period++)
        {
            if (period >= maxPeriods)
            {
                throw new EvaluationLimitExceededException(
                    $"recurrence expansion visited more than {maxPeriods} periods");
            }

            if (!TryExpandPeriod(start, rule, period * interval, buffer))
            {
                yield break;
            }

            var produced = false;
            foreach (var candidate in buffer)
            {
                if (candidate <= start)
                {
                    continue;
                }

                if (IsBeyondUntil(candidate, startHasTime, rule, wallToUtc))
                {
                    yield break;
                }

                produced = true;
                yield return candidate;
                emitted++;
                if (rule.Count is { } count && emitted >= count)
                {
                    yield break;
                }
            }

            emptyPeriods = produced ? 0 : emptyPeriods + 1;
            if (emptyPeriods > maxEmptyPeriods)
            {
                yield break;
            }
        }
    }

    private static bool IsBeyondUntil(DateTime candidate, bool startHasTime, RecurrencePattern rule, Func<DateTime, DateTime>? wallToUtc)
    {
        if (rule.Until is not { } until)
        {
            return false;
        }

        if (!until.HasTime || !startHasTime)
        {
            // A DATE UNTIL (also Google's UNTIL=yyyymmdd on a timed series) includes that whole day.
            return DateOnly.FromDateTime(candidate) > until.Date;
        }

        if (until.IsUtc && wallToUtc is not null)
        {
            return wallToUtc(candidate) > until.Value;
        }

        return candidate > DateTime.SpecifyKind(until.Value, DateTimeKind.Unspecified);
    }

    /// <summary>Fills <paramref name="result"/> with the sorted instances of one period; false past the DateTime range.</summary>
    private static bool TryExpandPeriod(DateTime start, RecurrencePattern rule, long step, List<DateTime> result)
    {
        result.Clear();
        var dates = new List<DateOnly>();
        var startDate = DateOnly.FromDateTime(start);
        switch (rule.Frequency)
        {
            case FrequencyType.Yearly:
            {
                if (start.Year + step > LastSafeYear)
                {
                    return false;
                }

                ExpandYear((int)(start.Year + step), startDate, rule, dates);
                break;
            }

            case FrequencyType.Monthly:
            {
                var monthIndex = (start.Year * 12L) + start.Month - 1 + step;
                var year = monthIndex / 12;
                if (year > LastSafeYear)
                {
                    return false;
                }

                var month = (int)(monthIndex % 12) + 1;
                if (rule.ByMonth.Count == 0 || rule.ByMonth.Contains(month))
                {
                    ExpandMonth((int)year, month, startDate, rule, dates);
                }

                break;
            }

            case FrequencyType.Weekly:
            {
                var weekStart = startDate.AddDays(-(((int)startDate.DayOfWeek - (int)rule.FirstDayOfWeek + 7) % 7));
                if (weekStart.DayNumber + (step * 7) > new DateOnly(LastSafeYear, 12, 24).DayNumber)
                {
                    return false;
                }

                weekStart = weekStart.AddDays((int)(step * 7));
                for (var i = 0; i < 7; i++)
                {
                    var day = weekStart.AddDays(i);
                    var dayMatches = rule.ByDay.Count == 0
                        ? day.DayOfWeek == startDate.DayOfWeek
                        : rule.ByDay.Any(d => d.DayOfWeek == day.DayOfWeek);
                    if (dayMatches && (rule.ByMonth.Count == 0 || rule.ByMonth.Contains(day.Month)))
                    {
                        dates.Add(day);
                    }
                }

                break;
            }

            case FrequencyType.Daily:
            {
                if (startDate.DayNumber + step > new DateOnly(LastSafeYear, 12, 31).DayNumber)
                {
                    return false;
                }

                var day = startDate.AddDays((int)step);
                if (DayPassesLimits(day, rule))
                {
                    dates.Add(day);
                }

                break;
            }

            default:
            {
                // Sub-daily frequencies: step the start by a fixed amount and apply the BYxxx parts as filters.
                var unit = rule.Frequency switch
                {
                    FrequencyType.Hourly => TimeSpan.TicksPerHour,
                    FrequencyType.Minutely => TimeSpan.TicksPerMinute,
                    _ => TimeSpan.TicksPerSecond,
                };
                if (step > (new DateTime(LastSafeYear, 12, 31).Ticks - start.Ticks) / unit)
                {
                    return false;
                }

                var instant = start.AddTicks(step * unit);
                if (DayPassesLimits(DateOnly.FromDateTime(instant), rule)
                    && (rule.ByHour.Count == 0 || rule.ByHour.Contains(instant.Hour))
                    && (rule.ByMinute.Count == 0 || rule.ByMinute.Contains(instant.Minute))
                    && (rule.BySecond.Count == 0 || rule.BySecond.Contains(instant.Second)))
                {
                    result.Add(instant);
                }

                return true;
            }
        }

        var hours = rule.ByHour.Count > 0 ? rule.ByHour : [start.Hour];
        var minutes = rule.ByMinute.Count > 0 ? rule.ByMinute : [start.Minute];
        var seconds = rule.BySecond.Count > 0 ? rule.BySecond : [start.Second];
        foreach (var date in dates)
        {
            foreach (var hour in hours)
            {
                foreach (var minute in minutes)
                {
                    foreach (var second in seconds)
                    {
                        result.Add(date.ToDateTime(new TimeOnly(hour, minute, Math.Min(second, 59))));
                    }
                }
            }
        }

        result.Sort();
        RemoveAdjacentDuplicates(result);
        ApplySetPositions(rule, result);
        return true;
    }

    private static bool DayPassesLimits(DateOnly day, RecurrencePattern rule)
    {
        if (rule.ByMonth.Count > 0 && !rule.ByMonth.Contains(day.Month))
        {
            return false;
        }

        if (rule.ByMonthDay.Count > 0)
        {
            var daysInMonth = DateTime.DaysInMonth(day.Year, day.Month);
            if (!rule.ByMonthDay.Any(d => ResolveMonthDay(d, daysInMonth) == day.Day))
            {
                return false;
            }
        }

        return rule.ByDay.Count == 0 || rule.ByDay.Any(d => d.DayOfWeek == day.DayOfWeek);
    }

    private static void ExpandYear(int year, DateOnly startDate, RecurrencePattern rule, List<DateOnly> dates)
    {
        if (rule.ByMonth.Count > 0)
        {
            foreach (var month in rule.ByMonth.Distinct().Order())
            {
                ExpandMonth(year, month, startDate, rule, dates);
            }

            return;
        }

        if (rule.ByDay.Count > 0)
        {
            // Without BYMONTH an ordinal BYDAY counts within the year (20MO = the year's 20th Monday).
            var first = new DateOnly(year, 1, 1);
            var last = new DateOnly(year, 12, 31);
            AddWeekdays(first, last, rule.ByDay, dates);
            if (rule.ByMonthDay.Count > 0)
            {
                dates.RemoveAll(d => !rule.ByMonthDay.Any(md => ResolveMonthDay(md, DateTime.DaysInMonth(year, d.Month)) == d.Day));
            }

            return;
        }

        if (rule.ByMonthDay.Count > 0)
        {
            for (var month = 1; month <= 12; month++)
            {
                ExpandMonth(year, month, startDate, rule, dates);
            }

            return;
        }

        if (startDate.Day <= DateTime.DaysInMonth(year, startDate.Month))
        {
            dates.Add(new DateOnly(year, startDate.Month, startDate.Day));
        }
    }

    private static void ExpandMonth(int year, int month, DateOnly startDate, RecurrencePattern rule, List<DateOnly> dates)
    {
        var daysInMonth = DateTime.DaysInMonth(year, month);
        var fromMonthDays = rule.ByMonthDay
            .Select(d => ResolveMonthDay(d, daysInMonth))
            .Where(d => d is >= 1 and <= 31 && d <= daysInMonth)
            .Select(d => new DateOnly(year, month, d))
            .ToList();
        var fromWeekdays = new List<DateOnly>();
        if (rule.ByDay.Count > 0)
        {
            AddWeekdays(new DateOnly(year, month, 1), new DateOnly(year, month, daysInMonth), rule.ByDay, fromWeekdays);
        }

        if (rule.ByMonthDay.Count > 0 && rule.ByDay.Count > 0)
        {
            dates.AddRange(fromMonthDays.Intersect(fromWeekdays));
        }
        else if (rule.ByMonthDay.Count > 0)
        {
            dates.AddRange(fromMonthDays);
        }
        else if (rule.ByDay.Count > 0)
        {
            dates.AddRange(fromWeekdays);
        }
        else if (startDate.Day <= daysInMonth)
        {
            dates.Add(new DateOnly(year, month, startDate.Day));
        }
    }

    /// <summary>Adds the days in [first, last] matching BYDAY, where an ordinal counts from the range's start or end.</summary>
    private static void AddWeekdays(DateOnly first, DateOnly last, List<WeekDay> byDay, List<DateOnly> dates)
    {
        foreach (var weekDay in byDay)
        {
            var firstMatch = first.AddDays(((int)weekDay.DayOfWeek - (int)first.DayOfWeek + 7) % 7);
            var lastMatch = last.AddDays(-(((int)last.DayOfWeek - (int)weekDay.DayOfWeek + 7) % 7));
            if (weekDay.Offset == 0)
            {
                for (var day = firstMatch; day <= lastMatch; day = day.AddDays(7))
                {
                    dates.Add(day);
                }
            }
            else
            {
                var day = weekDay.Offset > 0
                    ? firstMatch.AddDays(7 * (weekDay.Offset - 1))
                    : lastMatch.AddDays(7 * (weekDay.Offset + 1));
                if (day >= first && day <= last)
                {
                    dates.Add(day);
                }
            }
        }
    }

    private static int ResolveMonthDay(int monthDay, int daysInMonth) =>
        monthDay > 0 ? monthDay : daysInMonth + 1 + monthDay;

    private static void RemoveAdjacentDuplicates(List<DateTime> sorted)
    {
        for (var i = sorted.Count - 1; i > 0; i--)
        {
            if (sorted[i] == sorted[i - 1])
            {
                sorted.RemoveAt(i);
            }
        }
    }

    private static void ApplySetPositions(RecurrencePattern rule, List<DateTime> sorted)
    {
        if (rule.BySetPosition.Count == 0 || sorted.Count == 0)
        {
            return;
        }

        var picked = new SortedSet<DateTime>();
        foreach (var position in rule.BySetPosition)
        {
            var index = position > 0 ? position - 1 : sorted.Count + position;
            if (index >= 0 && index < sorted.Count)
            {
                picked.Add(sorted[index]);
            }
        }

        sorted.Clear();
        sorted.AddRange(picked);
    }
}

/// <summary>Thrown when recurrence expansion exceeds the configured limits (Ical.Net: EvaluationLimitExceededException).</summary>
public sealed class EvaluationLimitExceededException : CalendarException
{
    public EvaluationLimitExceededException(string message)
        : base(message)
    {
    }
}
