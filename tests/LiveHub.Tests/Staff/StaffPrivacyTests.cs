using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;
using LiveHub.Tests.Live;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LiveHub.Tests.Staff;

/// <summary>
/// No staff email address reaches the public: an editor created without a display name posts live
/// updates of every kind, and every public GET route, page, feed and hub push is searched for their
/// address (and for any address at the staff domain). An event byline replaces staff names.
/// </summary>
public abstract class StaffPrivacyTests(LiveHubApp app)
{
    [Fact]
    public async Task Posting_as_staff_without_a_display_name_puts_no_email_in_any_public_output()
    {
        // No display name given, as the bootstrap admin and create-admin used to leave it.
        var admin = await app.BearerClientAsync(StaffRoles.Admin);
        var email = $"private.person-{Guid.NewGuid():N}@staff.example.org";
        var created = await admin.PostAsJsonAsync("/api/staff", new { email, password = LiveHubApp.Password, role = "Editor" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(StaffNames.DefaultDisplayName, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("displayName").GetString());

        var editor = app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        var token = await (await editor.PostAsJsonAsync("/api/account/token", new { email, password = LiveHubApp.Password })).Content.ReadFromJsonAsync<JsonElement>();
        editor.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("accessToken").GetString());
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var scenario = live with { Editor = editor };

        await using var attendee = await LiveClient.ConnectAsync(app);
        await attendee.JoinAsync(live.StreamId.ToString(), 0);
        var update = await scenario.PostAsync("The panel opens with a question about regional data.");
        await scenario.PostAsync("Evidence has to reach the people who decide.");
        var pushes = new List<string>();
        while (!(pushes.Any(p => p.Contains("regional data", StringComparison.Ordinal)) && pushes.Any(p => p.Contains("people who decide", StringComparison.Ordinal))))
        {
            pushes.Add((await attendee.NextAsync("changes")).GetRawText());
        }

        Assert.Equal(StaffNames.DefaultDisplayName, update.GetProperty("author").GetString());
        await AssertNoEmailAsync(email, live, pushes);
    }

    [Fact]
    public async Task An_event_byline_replaces_the_staff_name_on_every_post_and_may_not_be_an_email()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var post = await live.PostAsync("A first update.");
        Assert.Equal(StaffNames.DefaultDisplayName, post.GetProperty("author").GetString());

        var withEmail = EventWithByline(live.Slug, "comms@hub.example.org");
        await (await live.Editor.PutAsJsonAsync($"/api/events/{live.Slug}", withEmail)).AssertProblemAsync(HttpStatusCode.BadRequest, "liveByline");

        Assert.Equal(HttpStatusCode.OK, (await live.Editor.PutAsJsonAsync($"/api/events/{live.Slug}", EventWithByline(live.Slug, "LPIP Hub"))).StatusCode);
        var posts = await app.AnonymousClient().GetFromJsonAsync<JsonElement>($"/api/streams/{live.StreamId}/posts");
        Assert.All(posts.GetProperty("posts").EnumerateArray(), p => Assert.Equal("LPIP Hub", p.GetProperty("author").GetString()));
        var atom = await app.AnonymousClient().GetStringAsync($"/live/{live.Slug}/sessions/{live.SessionId}/feed.atom");
        Assert.Contains("<name>LPIP Hub</name>", atom, StringComparison.Ordinal);
        Assert.DoesNotContain(StaffNames.DefaultDisplayName, atom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Staff_set_their_own_public_name_and_it_may_not_be_an_email()
    {
        var client = await app.BearerClientAsync(StaffRoles.Editor);
        await (await client.PutAsJsonAsync("/api/account/me", new { displayName = "me@example.org" })).AssertProblemAsync(HttpStatusCode.BadRequest, "displayName");
        await (await client.PutAsJsonAsync("/api/account/me", new { displayName = " " })).AssertProblemAsync(HttpStatusCode.BadRequest, "displayName");
        var renamed = await client.PutAsJsonAsync("/api/account/me", new { displayName = "Rhiannon (comms)" });
        Assert.Equal("Rhiannon (comms)", (await renamed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("displayName").GetString());
        Assert.Equal("Rhiannon (comms)", (await client.GetFromJsonAsync<JsonElement>("/api/account/me")).GetProperty("displayName").GetString());
    }

    private static object EventWithByline(string slug, string byline) => new
    {
        slug,
        title = $"Event {slug}",
        startsAt = "2030-06-01T09:00",
        endsAt = "2030-06-01T17:00",
        timeZone = "Europe/London",
        venue = new { name = "The Exchange" },
        isPublished = true,
        tags = new[] { "privacy-sweep" },
        liveByline = byline,
    };

    private async Task AssertNoEmailAsync(string email, LiveScenario live, List<string> pushes)
    {
        var staffDomain = new Regex(@"[A-Za-z0-9._%+-]+@staff\.example\.org", RegexOptions.IgnoreCase);
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["slug"] = live.Slug,
            ["id"] = live.SessionId.ToString(),
            ["sessionId"] = live.SessionId.ToString(),
            ["streamId"] = live.StreamId.ToString(),
            ["tag"] = "privacy-sweep",
            ["documentName"] = "v1",
        };
        var anonymous = app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        var checkedUrls = new List<string>();
        var leaks = new List<string>();
        foreach (var route in RouteTable.Routes(app.Services).Where(r => r.Method == "GET" && !r.Pattern.StartsWith("/hubs/", StringComparison.Ordinal)))
        {
            var url = Regex.Replace(route.Pattern, @"\{([^}:]+)(:[^}]*)?\}", m => values.GetValueOrDefault(m.Groups[1].Value, "x"));
            var response = await anonymous.GetAsync(url);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                continue; // Staff only.
            }

            var body = await response.Content.ReadAsStringAsync();
            checkedUrls.Add($"{url} {(int)response.StatusCode}");
            if (body.Contains(email, StringComparison.OrdinalIgnoreCase) || staffDomain.IsMatch(body))
            {
                leaks.Add(url);
            }
        }

        leaks.AddRange(pushes.Where(p => p.Contains(email, StringComparison.OrdinalIgnoreCase) || staffDomain.IsMatch(p)).Select(_ => "hub push"));
        Assert.True(leaks.Count == 0, "Staff email in: " + string.Join(", ", leaks));
        // The sweep must have reached the outputs that show authors, or it proves nothing.
        foreach (var must in new[] { $"/api/streams/{live.StreamId}/posts 200", $"/live/{live.Slug}/sessions/{live.SessionId}/feed.atom 200", $"/live/{live.Slug}/sessions/{live.SessionId} 200", "/calendar.ics 200" })
        {
            Assert.Contains(must, checkedUrls);
        }
    }
}

public sealed class StaffPrivacyOnSqlite(SqliteApp app) : StaffPrivacyTests(app), IClassFixture<SqliteApp>;

public sealed class StaffPrivacyOnPostgres(PostgresApp app) : StaffPrivacyTests(app), IClassFixture<PostgresApp>;
