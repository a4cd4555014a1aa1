using System.Net;
using LiveHub.Embed;
using LiveHub.Tests.Infrastructure;
using LiveHub.Tests.Live;

namespace LiveHub.Tests.Embed;

/// <summary>Embed:FrameAncestors, the oEmbed flood limit, and switching the feature off.</summary>
public sealed class EmbedSettingsTests(EmbedSettingsTests.RestrictedApp app) : IClassFixture<EmbedSettingsTests.RestrictedApp>
{
    public sealed class RestrictedApp : SqliteApp
    {
        public const int OEmbedPerMinute = 3;

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Embed:FrameAncestors"] = "https://blog.example.org https://*.example.com:8443",
            ["Embed:OEmbedRequestsPerMinute"] = OEmbedPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    public sealed class DisabledApp : SqliteApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Embed:Enabled"] = "false" };
    }

    [Theory]
    [InlineData("*")]
    [InlineData("'self'")]
    [InlineData("'none'")]
    [InlineData("https://blog.example.org")]
    [InlineData("'self' https://blog.example.org http://localhost:8080 https://*.example.com https:")]
    public void Frame_ancestors_accepts_csp_sources(string value) => Assert.True(EmbedOptions.IsValidFrameAncestors(value), value);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("https://blog.example.org; script-src *")]
    [InlineData("https://blog.example.org, https://other.example.org")]
    [InlineData("'unsafe-inline'")]
    [InlineData("'none' https://blog.example.org")]
    [InlineData("https://blog.example.org/path")]
    [InlineData("javascript:alert(1)")]
    [InlineData("blog.example.org\nscript-src")]
    public void Frame_ancestors_refuses_anything_that_could_change_the_policy(string value) =>
        Assert.False(EmbedOptions.IsValidFrameAncestors(value), value);

    [Fact]
    public async Task The_configured_sites_may_frame_the_embed_and_nothing_else()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var embed = await app.AnonymousClient().GetAsync($"/embed/live/{live.Slug}");
        Assert.Equal(HttpStatusCode.OK, embed.StatusCode);
        Assert.Contains("frame-ancestors https://blog.example.org https://*.example.com:8443;", Assert.Single(embed.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.False(embed.Headers.Contains("X-Frame-Options"));
        var page = await app.AnonymousClient().GetAsync($"/live/{live.Slug}");
        Assert.Contains("frame-ancestors 'none'", Assert.Single(page.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_flood_of_oembed_requests_is_cut_off_with_a_problem()
    {
        var client = app.AnonymousClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < RestrictedApp.OEmbedPerMinute + 2; i++)
        {
            statuses.Add((await client.GetAsync("/oembed?url=" + Uri.EscapeDataString($"http://localhost/live/flood-{i}"))).StatusCode);
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.NotFound, RestrictedApp.OEmbedPerMinute), statuses.Take(RestrictedApp.OEmbedPerMinute));
        var limited = await client.GetAsync("/oembed?url=x");
        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.RetryAfter is not null, "no Retry-After");
    }

    [Fact]
    public async Task Switched_off_there_is_no_embed_no_oembed_and_no_discovery_link()
    {
        await using var disabled = new DisabledApp();
        await disabled.InitializeAsync();
        var live = await LiveTestSupport.LiveSessionAsync(disabled);
        var client = disabled.AnonymousClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/embed/live/{live.Slug}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/oembed?url=" + Uri.EscapeDataString($"http://localhost/live/{live.Slug}"))).StatusCode);
        Assert.DoesNotContain("json+oembed", await client.GetStringAsync($"/live/{live.Slug}"), StringComparison.Ordinal);
    }
}
