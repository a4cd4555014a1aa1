using System.Net;
using System.Text;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace LiveHub.Tests.Staff;

/// <summary>
/// Every endpoint the app maps (API, pages, feeds, media) must be classified here; a new endpoint fails the
/// test until it is. Each one is then called anonymously, signed in without a role, as an editor and as an
/// admin (cookie and bearer), and each caller must get exactly the intended status.
/// </summary>
public sealed class AuthorizationMatrixTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private enum Access
    {
        Public,
        SignedIn,
        Editor,
        Admin,
    }

    /// <summary>
    /// Who may call each endpoint, and what an allowed caller gets for the sample request (route values that
    /// match nothing, an empty JSON object as the body): the exact status, so an endpoint that starts answering
    /// 200 where it should say 404, or 500 anywhere, fails too.
    /// </summary>
    private static readonly Dictionary<string, Rule> Classification = new(StringComparer.Ordinal)
    {
        ["GET /api/events/"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /api/events/{slug}"] = new(Access.Public, HttpStatusCode.NotFound),
        ["POST /api/events/"] = new(Access.Editor, HttpStatusCode.BadRequest),
        ["PUT /api/events/{slug}"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["DELETE /api/events/{slug}"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["GET /api/events/{slug}/sessions/{id:guid}"] = new(Access.Public, HttpStatusCode.NotFound),
        ["POST /api/events/{slug}/sessions/"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["PUT /api/events/{slug}/sessions/{id:guid}"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["DELETE /api/events/{slug}/sessions/{id:guid}"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["PUT /api/events/{slug}/series/"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["DELETE /api/events/{slug}/series/"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["GET /api/status"] = new(Access.Editor, HttpStatusCode.OK),
        ["GET /api/speakers/"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /api/speakers/{id:guid}"] = new(Access.Public, HttpStatusCode.NotFound),
        ["POST /api/speakers/"] = new(Access.Editor, HttpStatusCode.BadRequest),
        ["PUT /api/speakers/{id:guid}"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["DELETE /api/speakers/{id:guid}"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["GET /api/venues/"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /api/venues/{slug}"] = new(Access.Public, HttpStatusCode.NotFound),
        ["POST /api/venues/"] = new(Access.Editor, HttpStatusCode.BadRequest),
        ["PUT /api/venues/{slug}"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["DELETE /api/venues/{slug}"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["GET /api/account/antiforgery"] = new(Access.Public, HttpStatusCode.OK),
        ["POST /api/account/login"] = new(Access.Public, HttpStatusCode.BadRequest),
        ["POST /api/account/token"] = new(Access.Public, HttpStatusCode.BadRequest),
        ["POST /api/account/logout"] = new(Access.SignedIn, HttpStatusCode.NoContent),
        ["GET /api/account/me"] = new(Access.SignedIn, HttpStatusCode.OK),
        ["PUT /api/account/me"] = new(Access.SignedIn, HttpStatusCode.BadRequest),
        ["POST /api/account/refresh"] = new(Access.Public, HttpStatusCode.BadRequest),
        ["POST /api/account/password"] = new(Access.SignedIn, HttpStatusCode.BadRequest),
        ["GET /api/events/{slug}/streams"] = new(Access.Public, HttpStatusCode.NotFound),
        ["GET /api/streams/{streamId:guid}"] = new(Access.Public, HttpStatusCode.NotFound),
        ["GET /api/streams/{streamId:guid}/posts"] = new(Access.Public, HttpStatusCode.NotFound),
        ["POST /api/streams/{streamId:guid}/posts"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["PUT /api/streams/{streamId:guid}/posts/{postId:guid}"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["DELETE /api/streams/{streamId:guid}/posts/{postId:guid}"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["PUT /api/streams/{streamId:guid}/posts/{postId:guid}/pin"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["PUT /api/streams/{streamId:guid}/posts/{postId:guid}/key-moment"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["POST /api/streams/{streamId:guid}/images"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["GET /api/streams/{streamId:guid}/audit"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["POST /api/events/{slug}/coverage/{action:regex(^(start|end)$)}"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["POST /api/events/{slug}/sessions/{sessionId:guid}/coverage/{action:regex(^(start|end)$)}"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["GET /api/staff/"] = new(Access.Admin, HttpStatusCode.OK),
        ["POST /api/staff/"] = new(Access.Admin, HttpStatusCode.BadRequest),
        ["PUT /api/staff/{id}"] = new(Access.Admin, HttpStatusCode.NotFound),
        ["DELETE /api/staff/{id}"] = new(Access.Admin, HttpStatusCode.NotFound),
        ["GET /api/crosspost/settings"] = new(Access.Admin, HttpStatusCode.OK),
        ["PUT /api/crosspost/settings"] = new(Access.Admin, HttpStatusCode.OK),
        ["PUT /api/crosspost/account"] = new(Access.Admin, HttpStatusCode.BadRequest),
        ["DELETE /api/crosspost/account"] = new(Access.Admin, HttpStatusCode.OK),
        ["GET /api/crosspost/events"] = new(Access.Admin, HttpStatusCode.OK),
        ["PUT /api/crosspost/events/{slug}"] = new(Access.Admin, HttpStatusCode.NotFound),
        ["GET /api/crosspost/jobs"] = new(Access.Admin, HttpStatusCode.OK),
        ["GET /staff/hangfire/{**path}"] = new(Access.Admin, HttpStatusCode.NotFound), // Hangfire's dashboard (every method); no such page
        ["GET /api/streams/{id:guid}/crosspost"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["POST /api/crosspost/{id:guid}/retry"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["POST /api/crosspost/{id:guid}/skip"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["POST /api/import/preview"] = new(Access.Editor, HttpStatusCode.BadRequest),
        ["POST /api/import/confirm"] = new(Access.Editor, HttpStatusCode.BadRequest),
        ["GET /"] = new(Access.Public, HttpStatusCode.OK), // a redirect to /events, followed
        ["GET /events"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /events/{slug}"] = new(Access.Public, HttpStatusCode.NotFound),
        ["GET /events/{slug}/sessions/{sessionId:guid}"] = new(Access.Public, HttpStatusCode.NotFound),
        ["GET /speakers"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /speakers/{slug}"] = new(Access.Public, HttpStatusCode.NotFound),
        ["GET /venues"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /venues/{slug}"] = new(Access.Public, HttpStatusCode.NotFound),
        ["GET /sitemap.xml"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /robots.txt"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /calendar.ics"] = new(Access.Public, HttpStatusCode.OK),
        ["HEAD /calendar.ics"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /calendar/tags/{tag}.ics"] = new(Access.Public, HttpStatusCode.NotFound),
        ["HEAD /calendar/tags/{tag}.ics"] = new(Access.Public, HttpStatusCode.NotFound),
        ["GET /events/{slug}.ics"] = new(Access.Public, HttpStatusCode.NotFound),
        ["HEAD /events/{slug}.ics"] = new(Access.Public, HttpStatusCode.NotFound),
        ["GET /events/{slug}/sessions/{id}.ics"] = new(Access.Public, HttpStatusCode.NotFound),
        ["HEAD /events/{slug}/sessions/{id}.ics"] = new(Access.Public, HttpStatusCode.NotFound),
        ["GET /media/{file}"] = new(Access.Public, HttpStatusCode.NotFound),
        ["GET /live/{slug}"] = new(Access.Public, HttpStatusCode.NotFound),
        ["GET /live/{slug}/sessions/{sessionId:guid}"] = new(Access.Public, HttpStatusCode.NotFound),
        ["GET /live/{slug}/feed.atom"] = new(Access.Public, HttpStatusCode.NotFound),
        ["GET /live/{slug}/sessions/{sessionId:guid}/feed.atom"] = new(Access.Public, HttpStatusCode.NotFound),
        ["GET /embed/live/{slug}"] = new(Access.Public, HttpStatusCode.NotFound),
        ["GET /embed/live/{slug}/sessions/{sessionId:guid}"] = new(Access.Public, HttpStatusCode.NotFound),
        ["GET /oembed"] = new(Access.Public, HttpStatusCode.BadRequest), // no url given
        ["GET /api/streams/{streamId:guid}/recap/"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["POST /api/streams/{streamId:guid}/recap/"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["PUT /api/streams/{streamId:guid}/recap/"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["POST /api/streams/{streamId:guid}/recap/publish"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["DELETE /api/streams/{streamId:guid}/recap/publish"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["GET /live/{slug}/sessions/{sessionId:guid}/recap"] = new(Access.Public, HttpStatusCode.NotFound),
        // The staff console's pages (Staff/StaffPages.cs) carry no data, as the static files they replace did: their scripts
        // call the API, which answers by role, and send a signed-out user to the sign-in page.
        ["GET /staff/"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /staff/event"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /staff/speakers"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /staff/venues"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /staff/import"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /staff/status"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /staff/questions"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /staff/accounts"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /staff/settings"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /staff/jobs"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /staff/login"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /staff/live/{slug}"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /staff/recap/{slug}"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /staff/{page}.html"] = new(Access.Public, HttpStatusCode.NotFound), // the old static pages' addresses: a permanent redirect each; no such page
        ["GET /healthz"] = new(Access.Public, HttpStatusCode.OK),
        // Personal agendas: no account, the agenda's token (Agenda-Token header, or the feed URL) is the only key; staff
        // roles add nothing (AgendaTests checks that each token reaches its own agenda only).
        ["POST /api/agendas"] = new(Access.Public, HttpStatusCode.Created),
        ["GET /api/agenda/"] = new(Access.Public, HttpStatusCode.BadRequest),
        ["PUT /api/agenda/sessions/{sessionId:guid}"] = new(Access.Public, HttpStatusCode.BadRequest),
        ["DELETE /api/agenda/sessions/{sessionId:guid}"] = new(Access.Public, HttpStatusCode.BadRequest),
        ["POST /api/agenda/token"] = new(Access.Public, HttpStatusCode.BadRequest),
        ["DELETE /api/agenda/"] = new(Access.Public, HttpStatusCode.BadRequest),
        ["GET /agenda/{token}.ics"] = new(Access.Public, HttpStatusCode.NotFound),
        ["HEAD /agenda/{token}.ics"] = new(Access.Public, HttpStatusCode.NotFound),
        ["GET /agenda"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /healthz/ready"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /healthz/live"] = new(Access.Public, HttpStatusCode.OK),
        ["GET /openapi/{documentName}.json"] = new(Access.Public, HttpStatusCode.NotFound),
        // Audience questions: anyone may read the approved ones and ask (rate-limited, moderated); editors moderate.
        ["GET /api/streams/{streamId:guid}/questions/"] = new(Access.Public, HttpStatusCode.NotFound),
        ["POST /api/streams/{streamId:guid}/questions/"] = new(Access.Public, HttpStatusCode.NotFound),
        ["GET /api/questions/"] = new(Access.Editor, HttpStatusCode.OK),
        ["POST /api/questions/{id:guid}/approve"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["POST /api/questions/{id:guid}/reject"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["POST /api/questions/{id:guid}/answered"] = new(Access.Editor, HttpStatusCode.NotFound),
        ["POST /api/questions/{id:guid}/merge"] = new(Access.Editor, HttpStatusCode.BadRequest),
        ["GET /live/{slug}/questions"] = new(Access.Public, HttpStatusCode.NotFound),
        ["GET /live/{slug}/sessions/{sessionId:guid}/questions"] = new(Access.Public, HttpStatusCode.NotFound),
    };

    private sealed record Rule(Access Access, HttpStatusCode Allowed);

    private sealed record Caller(string Name, HttpClient Client, Access Level);

    /// <summary>Every routed endpoint with a method, except the SignalR hub's own transport endpoints (covered by the Live tests).</summary>
    private IEnumerable<(string Method, string Pattern, Endpoint Endpoint)> Endpoints() =>
        RouteTable.Routes(app.Services).Where(r => !r.Pattern.StartsWith("/hubs/", StringComparison.Ordinal)).Select(r => (r.Method, r.Pattern, (Endpoint)r.Endpoint));

    /// <summary>Fills route parameters with values that pass their constraints but match nothing.</summary>
    private static string SampleUrl(string pattern) => System.Text.RegularExpressions.Regex.Replace(pattern, @"\{([^}:]+)(:[^}]*)?\}", m =>
        m.Groups[2].Value.StartsWith(":guid", StringComparison.Ordinal) ? Guid.Empty.ToString()
        : m.Groups[2].Value.Contains("start|end", StringComparison.Ordinal) ? "start"
        : m.Groups[1].Value == "slug" ? "no-such-event"
        : "no-such-" + m.Groups[1].Value);

    /// <summary>An admin's cookie client that signed out (in another session of the same account) but still sends its old cookie.</summary>
    private async Task<HttpClient> RevokedCookieClientAsync()
    {
        var admin = await app.CreateStaffAsync(StaffRoles.Admin);
        var kept = await StaffCredentials.CookieAsync(app, admin.Email!);
        var other = await StaffCredentials.CookieAsync(app, admin.Email!);
        Assert.Equal(HttpStatusCode.NoContent, (await other.SendAsync(app, HttpMethod.Post, "/api/account/logout")).StatusCode);
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        client.DefaultRequestHeaders.Add("Cookie", kept.CookieHeader);
        client.DefaultRequestHeaders.Add(AntiforgeryForCookies.HeaderName, kept.CsrfToken);
        return client;
    }

    private async Task<HttpClient> DeletedAdminBearerClientAsync()
    {
        var admin = await app.CreateStaffAsync(StaffRoles.Admin);
        var token = await StaffCredentials.TokenAsync(app, admin.Email!);
        var other = await app.BearerClientAsync(StaffRoles.Admin);
        Assert.Equal(HttpStatusCode.NoContent, (await other.DeleteAsync($"/api/staff/{admin.Id}")).StatusCode);
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.BearerToken);
        return client;
    }

    [Fact]
    public void Every_endpoint_is_classified()
    {
        var mapped = Endpoints().Select(e => $"{e.Method} {e.Pattern}").ToList();
        var unclassified = mapped.Where(k => !Classification.ContainsKey(k)).ToList();
        Assert.True(unclassified.Count == 0, "Classify these endpoints in AuthorizationMatrixTests: " + string.Join(", ", unclassified));
        var gone = Classification.Keys.Except(mapped).ToList();
        Assert.True(gone.Count == 0, "These classified endpoints no longer exist: " + string.Join(", ", gone));
    }

    [Fact]
    public void Declared_authorization_matches_the_classification()
    {
        foreach (var (method, pattern, endpoint) in Endpoints())
        {
            if (!Classification.TryGetValue($"{method} {pattern}", out var expected))
            {
                continue; // Reported by Every_endpoint_is_classified.
            }

            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy ?? "").ToList();
            var declared = policies.Contains(StaffPolicies.Admin) ? Access.Admin
                : policies.Contains(StaffPolicies.Editor) ? Access.Editor
                : policies.Count > 0 ? Access.SignedIn
                : Access.Public;
            Assert.True(expected.Access == declared, $"{method} {pattern}: classified {expected.Access}, declared {declared}");
        }
    }

    [Fact]
    public async Task Every_endpoint_gives_each_caller_exactly_the_intended_outcome()
    {
        var anonymous = app.AnonymousClient();
        await anonymous.UseAntiforgeryAsync();
        Caller[] callers =
        [
            new("anonymous", anonymous, Access.Public),
            new("signed in without a role", await app.CookieClientAsync(role: null), Access.SignedIn),
            new("editor (cookie)", await app.CookieClientAsync(StaffRoles.Editor), Access.Editor),
            new("editor (bearer)", await app.BearerClientAsync(StaffRoles.Editor), Access.Editor),
            new("admin (cookie)", await app.CookieClientAsync(StaffRoles.Admin), Access.Admin),
            new("admin (bearer)", await app.BearerClientAsync(StaffRoles.Admin), Access.Admin),
            // Revoked credentials count for nothing: they must get exactly what an anonymous caller gets.
            new("admin after signing out (cookie)", await RevokedCookieClientAsync(), Access.Public),
            new("deleted admin (bearer)", await DeletedAdminBearerClientAsync(), Access.Public),
        ];
        var failures = new List<string>();
        var calls = 0;

        // Signing out last keeps the shared signed-in clients signed in for every other endpoint.
        foreach (var (method, pattern, _) in Endpoints().OrderBy(e => e.Pattern == "/api/account/logout"))
        {
            if (!Classification.TryGetValue($"{method} {pattern}", out var rule))
            {
                continue; // Reported by Every_endpoint_is_classified.
            }

            var url = SampleUrl(pattern);
            foreach (var caller in callers)
            {
                var expected = caller.Level >= rule.Access ? rule.Allowed
                    : caller.Level == Access.Public ? HttpStatusCode.Unauthorized
                    : HttpStatusCode.Forbidden;
                using var request = new HttpRequestMessage(new HttpMethod(method), url);
                if (method is not ("GET" or "HEAD"))
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                var response = await caller.Client.SendAsync(request);
                calls++;
                if (response.StatusCode != expected)
                {
                    failures.Add($"{method} {url} as {caller.Name}: expected {(int)expected}, got {(int)response.StatusCode}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.True(calls >= Classification.Count * callers.Length, $"Only {calls} calls were made.");
    }
}
