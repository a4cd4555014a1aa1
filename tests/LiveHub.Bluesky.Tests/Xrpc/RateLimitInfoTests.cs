namespace LiveHub.Bluesky.Tests.Xrpc;

public sealed class RateLimitInfoTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 13, 40, 0, TimeSpan.Zero);

    private static RateLimitInfo? Parse(params (string Name, string Value)[] headers)
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.TooManyRequests);
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }
        return RateLimitInfo.FromHeaders(response.Headers, Now);
    }

    [Fact]
    public void RateLimit_reset_is_read_as_an_absolute_unix_time()
    {
        var info = Parse(("RateLimit-Limit", "30"), ("RateLimit-Remaining", "0"), ("RateLimit-Reset", "1795268501"), ("RateLimit-Policy", "30;w=300"))!;

        Assert.Equal(30, info.Limit);
        Assert.Equal(0, info.Remaining);
        Assert.Equal("30;w=300", info.Policy);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795268501), info.Reset);
        Assert.Null(info.RetryAfter);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795268501) - Now, info.SuggestedDelay(Now));
    }

    [Fact]
    public void A_small_reset_value_is_read_as_delta_seconds()
    {
        var info = Parse(("RateLimit-Reset", "120"))!;

        Assert.Equal(Now.AddSeconds(120), info.Reset);
        Assert.Equal(TimeSpan.FromSeconds(120), info.SuggestedDelay(Now));
    }

    [Fact]
    public void Retry_after_takes_precedence_over_the_reset()
    {
        var info = Parse(("RateLimit-Reset", (Now.ToUnixTimeSeconds() + 600).ToString(System.Globalization.CultureInfo.InvariantCulture)), ("Retry-After", "286"))!;

        Assert.Equal(TimeSpan.FromSeconds(286), info.RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(286), info.SuggestedDelay(Now));
    }

    [Fact]
    public void Retry_after_as_an_http_date_is_converted_to_a_delay()
    {
        var info = Parse(("Retry-After", Now.AddSeconds(90).ToString("r", System.Globalization.CultureInfo.InvariantCulture)))!;

        Assert.Equal(TimeSpan.FromSeconds(90), info.RetryAfter);
    }

    [Fact]
    public void A_reset_in_the_past_suggests_no_wait_and_no_headers_give_no_info()
    {
        Assert.Equal(TimeSpan.Zero, Parse(("RateLimit-Reset", "1700000000"))!.SuggestedDelay(Now));
        Assert.Null(Parse());
        Assert.Null(Parse(("RateLimit-Reset", "soon"), ("RateLimit-Limit", "lots")));
    }
}
