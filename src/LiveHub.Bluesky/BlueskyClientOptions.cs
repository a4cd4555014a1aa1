namespace LiveHub.Bluesky;

public sealed class BlueskyClientOptions
{
    /// <summary>Entryway used for login and lookups before the account's PDS is known.</summary>
    public Uri ServiceUrl { get; set; } = new("https://bsky.social");

    public Uri PlcDirectoryUrl { get; set; } = new("https://plc.directory");

    /// <summary>Handle or email used for automatic (re-)login when no usable stored session exists.</summary>
    public string? Identifier { get; set; }

    /// <summary>App password (xxxx-xxxx-xxxx-xxxx) for automatic (re-)login.</summary>
    public string? AppPassword { get; set; }

    public TimeSpan JsonTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan BlobTimeout { get; set; } = TimeSpan.FromSeconds(120);

    public string UserAgent { get; set; } = "LiveHub.Bluesky/1.0 (+https://github.com/livehub)";

    /// <summary>Send repo calls to the PDS named in the DID document rather than the entryway.</summary>
    public bool UseDidDocumentPds { get; set; } = true;

    /// <summary>Refresh before a request when the access token's <c>exp</c> is closer than this; null disables it.</summary>
    public TimeSpan? ProactiveRefreshMargin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Client-side cap on createSession calls. Bluesky allows 30 per 5 minutes and 300 per day per account and IP,
    /// and one bug looping logins locks the bot out for a day, so the client stays well below.
    /// </summary>
    public int MaxLoginsPerFiveMinutes { get; set; } = 10;

    public int MaxLoginsPerDay { get; set; } = 100;
}
