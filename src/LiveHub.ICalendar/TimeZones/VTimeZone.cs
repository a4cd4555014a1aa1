using LiveHub.ICalendar.Recurrence;

namespace LiveHub.ICalendar.TimeZones;

public enum ObservanceKind
{
    Standard,
    Daylight,
}

/// <summary>A STANDARD or DAYLIGHT sub-component: from its onset (DTSTART, wall time in the old offset) TZOFFSETTO applies.</summary>
public sealed class TimeZoneObservance
{
    public ObservanceKind Kind { get; set; }

    /// <summary>Local wall time of the first onset, read in <see cref="OffsetFrom"/>.</summary>
    public DateTime Start { get; set; }

    public TimeSpan OffsetFrom { get; set; }

    public TimeSpan OffsetTo { get; set; }

    /// <summary>TZNAME (optional; Outlook ignores it).</summary>
    public string? Name { get; set; }

    public RecurrencePattern? RecurrenceRule { get; set; }

    /// <summary>Further onsets as local wall times (RDATE).</summary>
    public List<DateTime> RecurrenceDates { get; } = [];

    public List<CalendarProperty> Properties { get; } = [];
}

/// <summary>A VTIMEZONE component (Ical.Net's <c>VTimeZone</c>).</summary>
public sealed class VTimeZone
{
    public VTimeZone(string tzId)
    {
        ArgumentException.ThrowIfNullOrEmpty(tzId);
        TzId = tzId;
    }

    public string TzId { get; set; }

    /// <summary>X-LIC-LOCATION, written when set.</summary>
    public string? Location { get; set; }

    public List<TimeZoneObservance> Observances { get; } = [];

    public List<CalendarProperty> Properties { get; } = [];

    public List<CalendarComponent> Components { get; } = [];

    /// <summary>
    /// Generates a VTIMEZONE from .NET's zone data for local years <paramref name="fromYear"/>..<paramref name="toYear"/>
    /// (pass the earliest event year − 1 as fromYear so the previous autumn's change governs January).
    /// </summary>
    public static VTimeZone FromTimeZoneInfo(TimeZoneInfo zone, int fromYear, int toYear) =>
        VTimeZoneGenerator.Generate(zone, fromYear, toYear);

    /// <summary>As <see cref="FromTimeZoneInfo"/> for a system zone id (IANA or Windows); the TZID is the IANA id.</summary>
    public static VTimeZone FromSystemTimeZone(string tzId, int fromYear, int toYear) =>
        TimeZoneResolver.TryFindSystemTimeZone(tzId, out var zone)
            ? VTimeZoneGenerator.Generate(zone, fromYear, toYear)
            : throw new TimeZoneNotFoundException($"Unknown time zone '{tzId}'.");

    /// <summary>
    /// A snapshot of this component's rules for evaluation: the offset at an instant comes from the observance with
    /// the latest onset at or before it. Later changes to this object do not affect the snapshot.
    /// </summary>
    public ITimeZoneRules ToRules() => new VTimeZoneRules(this);

    /// <summary>The UTC offset this VTIMEZONE defines at a UTC instant (builds a snapshot per call; use <see cref="ToRules"/> in loops).</summary>
    public TimeSpan GetUtcOffset(DateTime utc) => ToRules().GetUtcOffset(utc);
}

/// <summary>Evaluates observances, expanding each RRULE lazily and caching onsets as UTC instants.</summary>
internal sealed class VTimeZoneRules : ITimeZoneRules
{
    private const int MaxEmptyPeriods = 1_000;

    // Caps work on hostile input such as a 1601 observance with FREQ=SECONDLY; real rules need a few hundred periods.
    private const long MaxPeriods = 500_000;
    private readonly ObservanceOnsets[] _observances;
    private readonly TimeSpan _beforeFirstOnset;
    private readonly Lock _gate = new();

    public VTimeZoneRules(VTimeZone zone)
    {
        Id = zone.TzId;
        _observances = [.. zone.Observances.Select(o => new ObservanceOnsets(o))];
        var earliest = zone.Observances.OrderBy(o => o.Start).FirstOrDefault();
        _beforeFirstOnset = earliest?.OffsetFrom ?? TimeSpan.Zero;
    }

    public string Id { get; }

    public bool IsEmpty => _observances.Length == 0;

    public TimeSpan GetUtcOffset(DateTime utc)
    {
        DateTime? bestOnset = null;
        var offset = _beforeFirstOnset;
        lock (_gate)
        {
            foreach (var observance in _observances)
            {
                if (observance.LatestOnsetAtOrBefore(utc) is { } onset && (bestOnset is null || onset >= bestOnset))
                {
                    bestOnset = onset;
                    offset = observance.Definition.OffsetTo;
                }
            }
        }

        return offset;
    }

    private sealed class ObservanceOnsets
    {
        private readonly List<DateTime> _onsetsUtc = [];
        private readonly IEnumerator<DateTime>? _rule;
        private bool _ruleExhausted;
        private DateTime _ruleFrontier = DateTime.MinValue;

        public ObservanceOnsets(TimeZoneObservance definition)
        {
            Definition = definition;
            var from = definition.OffsetFrom;
            DateTime ToUtc(DateTime wall) => DateMath.AddClamped(DateTime.SpecifyKind(wall, DateTimeKind.Utc), -from);
            _onsetsUtc.Add(ToUtc(definition.Start));
            _onsetsUtc.AddRange(definition.RecurrenceDates.Select(ToUtc));
            _onsetsUtc.Sort();
            if (definition.RecurrenceRule is { } rule)
            {
                _rule = RecurrenceEngine.Enumerate(definition.Start, startHasTime: true, rule, ToUtc, MaxEmptyPeriods, MaxPeriods)
                    .Select(ToUtc)
                    .GetEnumerator();
            }
            else
            {
                _ruleExhausted = true;
            }
        }

        public TimeZoneObservance Definition { get; }

        private static bool TryMoveNext(IEnumerator<DateTime> rule)
        {
            try
            {
                return rule.MoveNext();
            }
            catch (EvaluationLimitExceededException)
            {
                return false;
            }
        }

        public DateTime? LatestOnsetAtOrBefore(DateTime utc)
        {
            utc = DateTime.SpecifyKind(utc, DateTimeKind.Utc);
            while (!_ruleExhausted && _rule is not null && _ruleFrontier <= utc)
            {
                if (TryMoveNext(_rule))
                {
                    var next = _rule.Current;
                    _ruleFrontier = next;
                    var index = _onsetsUtc.BinarySearch(next);
                    if (index < 0)
                    {
                        _onsetsUtc.Insert(~index, next);
                    }
                }
                else
                {
                    _ruleExhausted = true;
                    _rule.Dispose();
                }
            }

            var position = _onsetsUtc.BinarySearch(utc);
            if (position >= 0)
            {
                return _onsetsUtc[position];
            }

            position = ~position;
            return position == 0 ? null : _onsetsUtc[position - 1];
        }
    }
}
