using System.ComponentModel.DataAnnotations;

namespace LiveHub.Calendar;

/// <summary>Feed window, cancellation grace period and refresh hints (section "Calendar").</summary>
public sealed class CalendarOptions
{
    public const string Section = "Calendar";

    /// <summary>Days a cancelled event or session stays in feeds (as STATUS:CANCELLED) after it was cancelled.</summary>
    [Range(0, 3650)]
    public int KeepCancelledDays { get; set; } = 30;

    /// <summary>Days after its end that a past event stays in the aggregate feeds; future events are always in.</summary>
    [Range(0, 3650)]
    public int PastDays { get; set; } = 90;

    /// <summary>REFRESH-INTERVAL and X-PUBLISHED-TTL: the polling interval suggested to clients.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Cache-Control max-age of feed responses; 0 sends "no-cache" (revalidate every time).</summary>
    [Range(0, 300)]
    public int MaxAgeSeconds { get; set; }

    /// <summary>PRODID of every feed; keep it stable (clients may de-duplicate by it).</summary>
    [Required]
    public string ProductId { get; set; } = "-//LiveHub//Event Feeds 1.0//EN";

    public CalendarImportOptions Import { get; set; } = new();
}

/// <summary>Limits for staff imports of .ics files and URLs (section "Calendar:Import").</summary>
public sealed class CalendarImportOptions
{
    [Range(1_000, 50_000_000)]
    public int MaxBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Total time allowed for fetching a URL, redirects included.</summary>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(10);

    [Range(0, 10)]
    public int MaxRedirects { get; set; } = 5;

    /// <summary>Allows private, loopback and link-local addresses. For tests and closed networks only.</summary>
    public bool AllowPrivateAddresses { get; set; }

    /// <summary>Single addresses allowed although not public (for tests: "127.0.0.1").</summary>
    public List<string> AllowAddresses { get; set; } = [];

    /// <summary>Allows plain http:// URLs (https only otherwise). For tests only.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>
    /// Recurrence periods (days, hours, seconds…) one series may step through from its DTSTART while it is checked;
    /// a series that needs more is skipped with a reason. Each period costs CPU, so this bounds what a few bytes
    /// of RRULE (FREQ=SECONDLY, or a DTSTART centuries ago) can cost.
    /// </summary>
    [Range(1_000, 1_000_000)]
    public int MaxRecurrencePeriods { get; set; } = 100_000;

    /// <summary>At most this many events in one import.</summary>
    [Range(1, 100_000)]
    public int MaxEvents { get; set; } = 2_000;

    /// <summary>Zone for all-day and floating times when the file gives none (X-WR-TIMEZONE wins).</summary>
    [Required]
    public string DefaultTimeZone { get; set; } = "Europe/London";
}
