namespace LiveHub.ICalendar.Serialization;

/// <summary>Reader behaviour and limits for untrusted input.</summary>
public sealed class CalendarReaderOptions
{
    /// <summary>Strict mode turns every warning into a <see cref="CalendarParseException"/>.</summary>
    public bool Strict { get; set; }

    public long MaxInputBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Longest logical (unfolded) line in bytes.</summary>
    public int MaxLineBytes { get; set; } = 1024 * 1024;

    /// <summary>Most BEGIN lines in the input.</summary>
    public int MaxComponents { get; set; } = 100_000;

    public int MaxNestingDepth { get; set; } = 32;

    /// <summary>Warnings beyond this are counted but not kept.</summary>
    public int MaxWarnings { get; set; } = 1_000;
}

/// <summary>The calendars read (a stream may hold several VCALENDARs) and what was tolerated on the way.</summary>
public sealed record CalendarReadResult(IReadOnlyList<Calendar> Calendars, IReadOnlyList<CalendarWarning> Warnings);
