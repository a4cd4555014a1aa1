using System.Net;
using LiveHub.CrossPosting;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;

namespace LiveHub.Tests.Staff;

/// <summary>
/// Hangfire's dashboard at /staff/hangfire: admins only, through LiveHub's own sign-in; its POSTs (trigger, requeue,
/// delete) need LiveHub's antiforgery token with the staff cookie; its inline scripts are allowed on its path only.
/// </summary>
public sealed class HangfireDashboardTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private const string Dashboard = CrossPostingFeature.DashboardPath;
    private const string TriggerSweep = Dashboard + "/recurring/trigger";

    [Fact]
    public async Task Only_admins_see_the_dashboard()
    {
        var admin = await app.CookieClientAsync(StaffRoles.Admin);
        var page = await admin.GetAsync(Dashboard + "/recurring");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(CrossPostScheduler.SweepJobId, await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Unauthorized, (await app.AnonymousClient().GetAsync(Dashboard)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await app.CookieClientAsync(StaffRoles.Editor)).GetAsync(Dashboard)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await app.CookieClientAsync(role: null)).GetAsync(Dashboard)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await app.BearerClientAsync(StaffRoles.Editor)).GetAsync(Dashboard + "/stats")).StatusCode);
    }

    [Fact]
    public async Task Dashboard_posts_need_the_antiforgery_token_and_an_admin()
    {
        var victim = await app.CookieClientAsync(StaffRoles.Admin);
        var other = await app.CookieClientAsync(StaffRoles.Admin);
        var ownToken = victim.DefaultRequestHeaders.GetValues(AntiforgeryForCookies.HeaderName).Single();
        var otherToken = other.DefaultRequestHeaders.GetValues(AntiforgeryForCookies.HeaderName).Single();
        victim.DefaultRequestHeaders.Remove(AntiforgeryForCookies.HeaderName);

        foreach (var token in new[] { null, "", otherToken })
        {
            using var forged = Trigger(token);
            Assert.Equal(HttpStatusCode.Forbidden, (await victim.SendAsync(forged)).StatusCode);
        }

        // An editor with a valid token of its own is still not an admin.
        var editor = await app.CookieClientAsync(StaffRoles.Editor);
        using (var byEditor = Trigger(null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await editor.SendAsync(byEditor)).StatusCode);
        }

        // The admin's own token works: the refusals were about the token and the role, not the request.
        using var genuine = Trigger(ownToken);
        var response = await victim.SendAsync(genuine);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task The_dashboard_alone_gets_a_policy_with_inline_scripts()
    {
        var admin = await app.CookieClientAsync(StaffRoles.Admin);
        var dashboard = await admin.GetAsync(Dashboard);
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        var dashboardPolicy = string.Join(";", dashboard.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self' 'unsafe-inline'", dashboardPolicy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", dashboardPolicy, StringComparison.Ordinal);

        foreach (var url in new[] { "/staff/jobs", "/staff/", "/events", "/api/crosspost/jobs", "/staff/hangfirex" })
        {
            var response = await admin.GetAsync(url);
            var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
            Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        }
    }

    private static HttpRequestMessage Trigger(string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, TriggerSweep)
        {
            Content = new FormUrlEncodedContent([new("jobs[]", CrossPostScheduler.SweepJobId)]),
        };
        if (token is not null)
        {
            request.Headers.Add(AntiforgeryForCookies.HeaderName, token);
        }

        return request;
    }
}
