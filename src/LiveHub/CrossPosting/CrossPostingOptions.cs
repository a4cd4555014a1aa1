using System.ComponentModel.DataAnnotations;

namespace LiveHub.CrossPosting;

/// <summary>Settings of the Bluesky cross-poster (section <c>CrossPosting</c>).</summary>
public sealed class CrossPostingOptions : IValidatableObject
{
    public const string Section = "CrossPosting";

    /// <summary>Entryway for createSession (tests point it at the fake PDS).</summary>
    [Required]
    public Uri ServiceUrl { get; set; } = new("https://bsky.social");

    /// <summary>PLC directory for resolving did:plc documents.</summary>
    [Required]
    public Uri PlcDirectoryUrl { get; set; } = new("https://plc.directory");

    /// <summary>
    /// The hub's public address (e.g. https://live.example.org), used for the link card of each thread's first
    /// post. Without it threads start without a card: a worker has no request to take the host from.
    /// </summary>
    public Uri? PublicBaseUrl { get; set; }

    /// <summary>First retry delay; later ones double up to <see cref="RetryMaxDelay"/>, each jittered between half and all of it.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Attempts before a transiently failing row is parked as failed (a human can retry it). Rate-limit waits do not
    /// count. With the default delays, 20 attempts span at least 29 minutes: a Bluesky outage shorter than that parks
    /// nothing (12, the old default, could park a row after about 9 minutes).
    /// </summary>
    [Range(1, 1000)]
    public int MaxAttempts { get; set; } = 20;

    /// <summary>
    /// How often the recurring sweep (a Hangfire recurring job) re-enqueues streams with due rows (after a crash, say).
    /// Cron counts whole seconds: it runs every second at most, and an interval that does not divide a minute (or an
    /// hour) is rounded down to one that does. Also Hangfire's schedule and queue polling interval (at most 15 s).
    /// </summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a stream's worker lease lasts without renewal; the worker renews it every third of this while it runs.
    /// After a crash the stream waits this long (plus up to one sweep) before another worker takes it over.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// This instance's name in stream leases, kept across restarts so that a restarted process takes back the leases
    /// its killed predecessor held at once (not after <see cref="LeaseDuration"/>). Unique per running instance.
    /// Unset: an id kept in the data directory (a second process on the same directory gets a fresh one).
    /// </summary>
    public string? InstanceId { get; set; }

    /// <summary>How a commit starts its stream's drain: in this process (default) or through a Hangfire job.</summary>
    public CrossPostFastPath FastPath { get; set; } = CrossPostFastPath.InProcess;

    /// <summary>Streams drained at once by one instance's Hangfire server (its worker count).</summary>
    [Range(1, 100)]
    public int MaxConcurrentStreams { get; set; } = 10;

    /// <summary>
    /// How often this instance's Hangfire server sends its heartbeat; a server silent for four of these (at least a
    /// minute) is removed from the dashboard's list. A dead instance's streams do not wait for that: their leases run out.
    /// </summary>
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(7.5);

    /// <summary>
    /// How long a stopping instance waits for cross-posting to let go: drains finish the write in hand, the Hangfire
    /// server waits for its running jobs and shuts down. Past this the work is left to the next start (or another node), which re-sends the
    /// row in hand idempotently. Keep it below the host's shutdown timeout (HostOptions.ShutdownTimeout, 30 s by default)
    /// so the web server still gets time to finish its requests.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(20);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetryBaseDelay <= TimeSpan.Zero || RetryMaxDelay < RetryBaseDelay)
        {
            yield return new ValidationResult("CrossPosting:RetryBaseDelay must be positive and at most RetryMaxDelay.");
        }

        if (SweepInterval <= TimeSpan.Zero || LeaseDuration <= TimeSpan.FromSeconds(1) || ClusterCheckinInterval <= TimeSpan.Zero || ShutdownTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("CrossPosting:SweepInterval, LeaseDuration, ClusterCheckinInterval and ShutdownTimeout must be positive.");
        }

        if (InstanceId is { Length: > 0 } id && !CrossPostInstance.IsValid(id))
        {
            yield return new ValidationResult("CrossPosting:InstanceId must be at most 48 letters, digits, '.', '_' or '-'.");
        }

        if (PublicBaseUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)))
        {
            yield return new ValidationResult("CrossPosting:PublicBaseUrl must be an absolute http(s) URL.");
        }
    }
}
