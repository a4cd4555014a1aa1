using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;

namespace LiveHub.Tests.Security;

/// <summary>
/// Every state-changing API endpoint, found from the app's own route table, refuses a request that rides on the
/// admin's staff cookie without the antiforgery header, or with a header taken from another session, and nothing
/// changes. The same requests with a bearer token are not asked for a token.
/// </summary>
public sealed class CsrfTests(CsrfTests.NoBlueskyApp app) : IClassFixture<CsrfTests.NoBlueskyApp>
{
    /// <summary>Connecting a Bluesky account tries a login: point it at a closed local port, never the real service.</summary>
    public sealed class NoBlueskyApp : SqliteApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["CrossPosting:ServiceUrl"] = "http://127.0.0.1:9",
            ["CrossPosting:PlcDirectoryUrl"] = "http://127.0.0.1:9",
        };
    }

    /// <summary>Not cookie-authenticated: they answer with a bearer token in the body, which a cross-site page cannot read.</summary>
    private static readonly string[] TokenSignIn = ["POST /api/account/token", "POST /api/account/refresh"];

    /// <summary>
    /// Personal agendas ignore cookies: the agenda's token, sent in the Agenda-Token header, is the credential. A
    /// cross-site page cannot read it and cannot send that header (no CORS: see the preflight test below); creating an
    /// agenda needs no credential at all, and nothing a cookie grants (AgendaTests: staff roles grant nothing).
    /// </summary>
    private static readonly string[] AgendaEndpoints =
        ["POST /api/agendas", "PUT /api/agenda/sessions/{sessionId:guid}", "DELETE /api/agenda/sessions/{sessionId:guid}", "POST /api/agenda/token", "DELETE /api/agenda/"];

    /// <summary>
    /// Anonymous by design: a question typed on a live page carries no credential and is stored the same whoever sends
    /// it (a signed-in editor's cookie changes nothing about it), so a forged request does nothing an attacker could not
    /// do directly. Its abuse limits (per address, honeypot, queue cap) are in Questions/QuestionApiTests.
    /// </summary>
    private static readonly string[] AnonymousEndpoints = ["POST /api/streams/{streamId:guid}/questions/"];

    private sealed record Target(string Key, string Url, string Body);

    private List<(string Method, string Pattern)> StateChangingEndpoints() =>
        [.. RouteTable.Routes(app.Services).Where(r => r.IsApi && r.Method is "POST" or "PUT" or "DELETE" or "PATCH").Select(r => (r.Method, r.Pattern))];

    [Fact]
    public async Task A_cross_site_page_may_not_send_the_agenda_token_header()
    {
        foreach (var (method, path) in new[] { ("GET", "/api/agenda"), ("DELETE", "/api/agenda"), ("PUT", $"/api/agenda/sessions/{Guid.NewGuid()}"), ("POST", "/api/agenda/token") })
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, path);
            preflight.Headers.Add("Origin", "https://evil.example");
            preflight.Headers.Add("Access-Control-Request-Method", method);
            preflight.Headers.Add("Access-Control-Request-Headers", "agenda-token");
            var response = await app.AnonymousClient().SendAsync(preflight);
            Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"), $"{method} {path}: the preflight allowed a cross-site origin");
            Assert.False(response.Headers.Contains("Access-Control-Allow-Headers"), $"{method} {path}: the preflight allowed headers");
        }
    }

    [Fact]
    public async Task Cookie_requests_without_a_valid_token_are_refused_and_change_nothing_while_bearer_requests_need_none()
    {
        var bearer = await app.BearerClientAsync(StaffRoles.Admin);
        var targets = await RealTargetsAsync(bearer);
        var victim = await app.CookieClientAsync(StaffRoles.Admin);
        var other = await app.CookieClientAsync(StaffRoles.Admin);
        var otherToken = other.DefaultRequestHeaders.GetValues(AntiforgeryForCookies.HeaderName).Single();
        var ownToken = victim.DefaultRequestHeaders.GetValues(AntiforgeryForCookies.HeaderName).Single();
        victim.DefaultRequestHeaders.Remove(AntiforgeryForCookies.HeaderName);
        Assert.Equal(HttpStatusCode.OK, (await victim.GetAsync("/api/account/me")).StatusCode);

        var before = await SnapshotAsync(bearer, targets);
        var failures = new List<string>();
        foreach (var target in targets)
        {
            foreach (var (header, why) in new[] { ((string?)null, "without the header"), (otherToken, "with another session's token"), ("", "with an empty header") })
            {
                using var request = Request(target);
                if (header is not null)
                {
                    request.Headers.Add(AntiforgeryForCookies.HeaderName, header);
                }

                var response = await victim.SendAsync(request);
                if (!await IsAntiforgeryRefusalAsync(response))
                {
                    failures.Add($"{target.Key} {why}: {(int)response.StatusCode} {Inertness.Excerpt(await response.Content.ReadAsStringAsync())}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.Equal(before, await SnapshotAsync(bearer, targets));
        Assert.Equal(HttpStatusCode.OK, (await victim.GetAsync("/api/account/me")).StatusCode); // the forged logout did nothing either

        // The victim's own token works: the refusals above were about the token, not the requests.
        using (var edit = Request(targets.Single(t => t.Key == "PUT /api/speakers/{id:guid}")))
        {
            edit.Headers.Add(AntiforgeryForCookies.HeaderName, ownToken);
            var response = await victim.SendAsync(edit);
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        foreach (var target in targets)
        {
            var response = await bearer.SendAsync(Request(target));
            Assert.False(await IsAntiforgeryRefusalAsync(response), $"{target.Key} with a bearer token was asked for an antiforgery token");
        }
    }

    private static HttpRequestMessage Request(Target target)
    {
        var method = target.Key[..target.Key.IndexOf(' ', StringComparison.Ordinal)];
        var request = new HttpRequestMessage(new HttpMethod(method), target.Url);
        if (target.Key.EndsWith("/images", StringComparison.Ordinal))
        {
            var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg=="));
            file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
            form.Add(file, "file", "x.png");
            form.Add(new StringContent("Forged"), "altText");
            request.Content = form;
        }
        else if (method != "DELETE")
        {
            request.Content = new StringContent(target.Body, Encoding.UTF8, "application/json");
        }

        return request;
    }

    private static async Task<bool> IsAntiforgeryRefusalAsync(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.BadRequest)
        {
            return false;
        }

        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(AntiforgeryForCookies.HeaderName, out _);
    }

    /// <summary>A request for every state-changing endpoint, aimed at real data with a body that would change it.</summary>
    private async Task<List<Target>> RealTargetsAsync(HttpClient admin)
    {
        var slug = "csrf-" + Guid.NewGuid().ToString("N")[..10];
        (await admin.PostAsJsonAsync("/api/events", EventsTestData.Event(slug))).EnsureSuccessStatusCode();
        var speaker = await (await admin.PostAsJsonAsync("/api/speakers", new { name = "Ada" })).Content.ReadFromJsonAsync<JsonElement>();
        var session = await (await admin.PostAsJsonAsync($"/api/events/{slug}/sessions", new { title = "Panel", startsAt = "2030-06-01T14:00", endsAt = "2030-06-01T15:00" })).Content.ReadFromJsonAsync<JsonElement>();
        var sessionId = session.GetProperty("id").GetString();
        var stream = (await admin.GetFromJsonAsync<JsonElement>($"/api/events/{slug}/streams")).EnumerateArray().First().GetProperty("id").GetString();
        (await admin.PostAsync($"/api/events/{slug}/coverage/start", null)).EnsureSuccessStatusCode();
        var post = await (await admin.PostAsJsonAsync($"/api/streams/{stream}/posts", new { body = "Original" })).Content.ReadFromJsonAsync<JsonElement>();
        var staff = await (await admin.PostAsJsonAsync("/api/staff", new { email = $"target-{Guid.NewGuid():N}@example.org", password = LiveHubApp.Password, role = "Editor" })).Content.ReadFromJsonAsync<JsonElement>();
        var ics = Convert.ToBase64String(Encoding.UTF8.GetBytes(
            $"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\nUID:{slug}@example.org\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:20300701T090000Z\r\nDTEND:20300701T100000Z\r\nSUMMARY:Forged import\r\nLOCATION:Hall\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"));

        var ids = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["/api/events/{slug}/sessions/{id:guid}"] = $"/api/events/{slug}/sessions/{sessionId}",
            ["/api/speakers/{id:guid}"] = $"/api/speakers/{speaker.GetProperty("id").GetString()}",
            ["/api/staff/{id}"] = $"/api/staff/{staff.GetProperty("id").GetString()}",
            ["/api/crosspost/{id:guid}/retry"] = $"/api/crosspost/{Guid.Empty}/retry",
            ["/api/crosspost/{id:guid}/skip"] = $"/api/crosspost/{Guid.Empty}/skip",
            ["/api/questions/{id:guid}/approve"] = $"/api/questions/{Guid.Empty}/approve",
            ["/api/questions/{id:guid}/reject"] = $"/api/questions/{Guid.Empty}/reject",
            ["/api/questions/{id:guid}/answered"] = $"/api/questions/{Guid.Empty}/answered",
            ["/api/questions/{id:guid}/merge"] = $"/api/questions/{Guid.Empty}/merge",
        };
        var bodies = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["POST /api/events/"] = EventsTestData.Event(slug + "-forged"),
            ["PUT /api/events/{slug}"] = EventsTestData.Event(slug),
            ["POST /api/events/{slug}/sessions/"] = new { title = "Forged", startsAt = "2030-06-01T10:00", endsAt = "2030-06-01T11:00" },
            ["PUT /api/events/{slug}/sessions/{id:guid}"] = new { title = "Forged", startsAt = "2030-06-01T10:00", endsAt = "2030-06-01T11:00" },
            ["POST /api/speakers/"] = new { name = "Forged" },
            ["PUT /api/speakers/{id:guid}"] = new { name = "Forged" },
            ["POST /api/streams/{streamId:guid}/posts"] = new { body = "Forged" },
            ["PUT /api/streams/{streamId:guid}/posts/{postId:guid}"] = new { body = "Forged" },
            ["PUT /api/streams/{streamId:guid}/posts/{postId:guid}/pin"] = new { pinned = true },
            ["PUT /api/streams/{streamId:guid}/posts/{postId:guid}/key-moment"] = new { keyMoment = true },
            ["POST /api/staff/"] = new { email = $"forged-{Guid.NewGuid():N}@example.org", password = LiveHubApp.Password, role = "Admin" },
            ["PUT /api/staff/{id}"] = new { role = "Admin" },
            ["POST /api/account/login"] = new { email = staff.GetProperty("email").GetString(), password = LiveHubApp.Password },
            ["POST /api/account/password"] = new { currentPassword = LiveHubApp.Password, newPassword = "a forged new password" },
            ["PUT /api/crosspost/settings"] = new { defaultHashtags = "#forged", defaultLanguage = "de" },
            ["PUT /api/crosspost/account"] = new { handle = "forged.bsky.social", appPassword = "forg-edap-pass-word" },
            ["PUT /api/crosspost/events/{slug}"] = new { enabled = true },
            ["POST /api/import/preview"] = new { fileName = "x.ics", content = ics, publish = true },
            ["POST /api/import/confirm"] = new { fileName = "x.ics", content = ics, publish = true },
        };

        var targets = new List<Target>();
        foreach (var (method, pattern) in StateChangingEndpoints())
        {
            var key = $"{method} {pattern}";
            if (TokenSignIn.Contains(key) || AgendaEndpoints.Contains(key) || AnonymousEndpoints.Contains(key))
            {
                continue;
            }

            var url = ids.TryGetValue(pattern, out var known) ? known : pattern
                .Replace("{slug}", slug, StringComparison.Ordinal)
                .Replace("{streamId:guid}", stream, StringComparison.Ordinal)
                .Replace("{postId:guid}", post.GetProperty("id").GetString(), StringComparison.Ordinal)
                .Replace("{sessionId:guid}", sessionId, StringComparison.Ordinal)
                .Replace("{action:regex(^(start|end)$)}", "end", StringComparison.Ordinal);
            Assert.False(url.Contains('{', StringComparison.Ordinal), $"No value for a route parameter of {key}: add it to this test");
            targets.Add(new Target(key, url, JsonSerializer.Serialize(bodies.GetValueOrDefault(key) ?? new { }, JsonSerializerOptions.Web)));
        }

        Assert.True(targets.Count >= 30, $"only {targets.Count} state-changing endpoints found");
        return targets;
    }

    /// <summary>Everything the targets could change, as the API shows it.</summary>
    private static async Task<string> SnapshotAsync(HttpClient admin, List<Target> targets)
    {
        var slug = targets.Single(t => t.Key == "PUT /api/events/{slug}").Url.Split('/')[^1];
        var stream = targets.Single(t => t.Key == "POST /api/streams/{streamId:guid}/posts").Url.Split('/')[3];
        var snapshot = new StringBuilder();
        foreach (var url in new[]
        {
            "/api/events?pageSize=100", $"/api/events/{slug}", $"/api/events/{slug}/streams", "/api/speakers", $"/api/streams/{stream}/posts",
            "/api/staff", "/api/crosspost/settings", "/api/crosspost/events", $"/api/streams/{stream}/audit",
        })
        {
            snapshot.Append(url).Append(": ").AppendLine(await admin.GetStringAsync(url));
        }

        return snapshot.ToString();
    }
}
