using System.Globalization;
using System.Net.Http.Headers;

namespace LiveHub.Bluesky;

/// <summary>Rate-limit state reported by the server. The headers describe only the tightest limit that applies.</summary>
public sealed record RateLimitInfo(int? Limit, int? Remaining, DateTimeOffset? Reset, string? Policy, TimeSpan? RetryAfter)
{
    // Values below this are treated as delta seconds rather than an absolute Unix time (2001-09-09).
    private const long AbsoluteUnixThreshold = 1_000_000_000;

    /// <summary>How long to wait before trying again: Retry-After if present, else until RateLimit-Reset.</summary>
    public TimeSpan? SuggestedDelay(DateTimeOffset now)
    {
        if (RetryAfter is { } retryAfter)
        {
            return retryAfter;
        }
        if (Reset is { } reset)
        {
            var delay = reset - now;
            return delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
        }
        return null;
    }

    public static RateLimitInfo? FromHeaders(HttpResponseHeaders headers, DateTimeOffset now)
    {
        var limit = ReadInt(headers, "RateLimit-Limit");
        var remaining = ReadInt(headers, "RateLimit-Remaining");
        var policy = ReadString(headers, "RateLimit-Policy");
        var reset = ParseReset(ReadString(headers, "RateLimit-Reset"), now);
        var retryAfter = ParseRetryAfter(headers.RetryAfter, now);
        if (limit is null && remaining is null && policy is null && reset is null && retryAfter is null)
        {
            return null;
        }
        return new RateLimitInfo(limit, remaining, reset, policy, retryAfter);
    }

    public static DateTimeOffset? ParseReset(string? value, DateTimeOffset now)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || number < 0)
        {
            return null;
        }
        return number < AbsoluteUnixThreshold
            ? now.AddSeconds(number)
            : DateTimeOffset.FromUnixTimeMilliseconds((long)(number * 1000));
    }

    private static TimeSpan? ParseRetryAfter(RetryConditionHeaderValue? value, DateTimeOffset now)
    {
        if (value?.Delta is { } delta)
        {
            return delta;
        }
        if (value?.Date is { } date)
        {
            var delay = date - now;
            return delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
        }
        return null;
    }

    private static string? ReadString(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault()?.Trim() : null;

    private static int? ReadInt(HttpResponseHeaders headers, string name) =>
        int.TryParse(ReadString(headers, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
