using System.ComponentModel.DataAnnotations;

namespace LiveHub.Live;

/// <summary>Settings of the real-time endpoint and of live images (section <c>Live</c>).</summary>
/// <remarks>
/// The connection and join limits are sized for a venue whose attendees all share one NAT address:
/// 500 to 1,000 people with a tab or two each is up to 2,000 connections, and after the venue's Wi-Fi
/// restarts all of them join again within seconds (one join each, two if they switch sessions). A
/// person needs a join when a page opens, reconnects or switches stream: a handful a minute at most.
/// </remarks>
public sealed class LiveOptions : IValidatableObject
{
    public const string Section = "Live";

    /// <summary>
    /// How long one send to a client may wait for room in its socket before SignalR closes the connection
    /// (the hub's <c>TransportSendTimeout</c>). A client that stopped reading is dropped rather than
    /// buffered for without limit; when it comes back it joins again with the last change it applied.
    /// </summary>
    public TimeSpan SlowClientTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Hub connections one address may hold at once (per instance).</summary>
    public int MaxConnectionsPerAddress { get; set; } = 2_000;

    /// <summary>Joins one connection may make in a burst, and on average per <see cref="JoinsPerConnectionWindow"/>.</summary>
    public int JoinsPerConnection { get; set; } = 10;

    public TimeSpan JoinsPerConnectionWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Joins all connections from one address may make in a burst, and on average per <see cref="JoinsPerAddressWindow"/>.</summary>
    public int JoinsPerAddress { get; set; } = 4_000;

    public TimeSpan JoinsPerAddressWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long an uploaded image may stay unattached to a post before it is deleted.</summary>
    public TimeSpan UnattachedImageGracePeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often images of deleted posts and expired unattached uploads are removed.</summary>
    public TimeSpan ImageCleanupInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Once LiveHub is stopping, how long an image upload whose body is still arriving may go on before it is answered
    /// 503 (try again) instead. Keep it well below the host's 30 s shutdown timeout.
    /// </summary>
    public TimeSpan UploadShutdownGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a stream's join snapshot may be served from memory (<see cref="LiveSnapshotCache"/>) while the stream
    /// is unchanged; zero turns the cache off. It bounds how old a speaker's name or an image's alt text, edited without
    /// editing the post, can be in a fresh join.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan SnapshotCacheLifetime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How changes reach viewers connected to other instances: the database (default) or a Redis backplane.</summary>
    public LiveBackplaneKind Backplane { get; set; } = LiveBackplaneKind.Database;

    /// <summary>The Redis server of the backplane (StackExchange.Redis syntax, e.g. <c>redis:6379</c>), with <see cref="Backplane"/> Redis.</summary>
    public string? RedisConnectionString { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Backplane == LiveBackplaneKind.Redis)
        {
            string? problem = null;
            if (string.IsNullOrWhiteSpace(RedisConnectionString))
            {
                problem = "Live:RedisConnectionString is required with Live:Backplane=Redis (for example redis:6379).";
            }
            else
            {
                try
                {
                    _ = StackExchange.Redis.ConfigurationOptions.Parse(RedisConnectionString);
                }
                catch (ArgumentException ex)
                {
                    problem = $"Live:RedisConnectionString is not a Redis connection string: {ex.Message}";
                }
            }

            if (problem is not null)
            {
                yield return new ValidationResult(problem, [nameof(RedisConnectionString)]);
            }
        }

        if (SlowClientTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Live:SlowClientTimeout must be positive.", [nameof(SlowClientTimeout)]);
        }

        foreach (var (name, value) in new[] { (nameof(MaxConnectionsPerAddress), MaxConnectionsPerAddress), (nameof(JoinsPerConnection), JoinsPerConnection), (nameof(JoinsPerAddress), JoinsPerAddress) })
        {
            if (value is < 1 or > 1_000_000)
            {
                yield return new ValidationResult($"Live:{name} must be between 1 and 1000000 (got {value}).", [name]);
            }
        }

        foreach (var (name, value) in new[] { (nameof(JoinsPerConnectionWindow), JoinsPerConnectionWindow), (nameof(JoinsPerAddressWindow), JoinsPerAddressWindow) })
        {
            if (value < TimeSpan.FromSeconds(1) || value > TimeSpan.FromDays(1))
            {
                yield return new ValidationResult($"Live:{name} must be between 00:00:01 and 1.00:00:00 (got {value}).", [name]);
            }
        }

        if (UnattachedImageGracePeriod < TimeSpan.FromMinutes(1))
        {
            yield return new ValidationResult("Live:UnattachedImageGracePeriod must be at least 00:01:00 (an editor needs time to write the post).", [nameof(UnattachedImageGracePeriod)]);
        }

        if (ImageCleanupInterval < TimeSpan.FromSeconds(1) || ImageCleanupInterval > TimeSpan.FromDays(1))
        {
            yield return new ValidationResult("Live:ImageCleanupInterval must be between 00:00:01 and 1.00:00:00.", [nameof(ImageCleanupInterval)]);
        }
    }

    public LiveImageOptions Images { get; set; } = new();
}

/// <summary>
/// What an uploaded image may decode to (section <c>Live:Images</c>), checked from its headers before anything is
/// decoded. A frame decodes to its canvas (the logical screen of a GIF, grown to hold every frame; the IHDR size of
/// a PNG or APNG), at about 4 bytes a pixel in a browser: 50 megapixels (~200 MB) is more than any phone camera's
/// full-size photo, and 200 megapixels in all (~800 MB if every frame were held at once) still lets through a
/// 480p GIF of 500 frames or a 1080p one of 96, while a few kilobytes of headers can no longer ask for gigabytes.
/// </summary>
public sealed class LiveImageOptions
{
    /// <summary>Pixels of one frame (a still image's only frame).</summary>
    [Range(1d, 1_000_000_000d)]
    public long MaxFramePixels { get; set; } = 50_000_000;

    /// <summary>Frames of an animated GIF or PNG.</summary>
    [Range(1, 100_000)]
    public int MaxFrames { get; set; } = 500;

    /// <summary>Pixels of all frames together (each counted at its canvas size).</summary>
    [Range(1d, 100_000_000_000d)]
    public long MaxTotalPixels { get; set; } = 200_000_000;
}
