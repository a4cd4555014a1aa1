namespace LiveHub.Testing.FakeBluesky;

/// <summary>An account on the fake PDS. <see cref="AppPassword"/> is what createSession accepts.</summary>
public sealed record FakeAccount(string Handle, string Did, string AppPassword, string? Email = null);

public sealed class FakeBlueskyOptions
{
    public static FakeAccount DefaultAccount { get; } =
        new("confbot.test", "did:plc:hsqfzdnoc4vcipu2vlbect2w", "abcd-efgh-ijkl-mnop", "confbot@example.com");

    /// <summary>Accounts served; <see cref="DefaultAccount"/> when left empty.</summary>
    public List<FakeAccount> Accounts { get; } = [];

    /// <summary>Clock for token expiry, rate-limit windows and timestamps.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(2);

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How long a rotated refresh token keeps working (the reference PDS uses 2 hours).</summary>
    public TimeSpan RefreshGracePeriod { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Add <c>didDoc</c> to session responses, as the bsky.social entryway does.</summary>
    public bool IncludeDidDocInSession { get; set; }

    /// <summary>
    /// Advertise the PDS in DID documents as <c>http://localhost:port</c> while the server is reached as
    /// <c>127.0.0.1:port</c>, so tests can tell entryway and PDS traffic apart by the Host header.
    /// </summary>
    public bool AdvertisePdsAsLocalhost { get; set; }

    /// <summary>List other services before <c>#atproto_pds</c> in DID documents (clients must not take the first).</summary>
    public bool ListOtherServicesFirst { get; set; } = true;

    /// <summary>Enforce the createSession limit per identifier (30 per 5 minutes on Bluesky).</summary>
    public bool EnforceLoginRateLimit { get; set; }

    public int LoginRateLimit { get; set; } = 30;

    public TimeSpan LoginRateWindow { get; set; } = TimeSpan.FromMinutes(5);

    public long BlobUploadLimit { get; set; } = 5 * 1024 * 1024;
}
