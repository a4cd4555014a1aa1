using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LiveHub.Tests.Staff;

public abstract class AccountTests(LiveHubApp app)
{
    [Fact]
    public async Task Cookie_sign_in_needs_the_antiforgery_token()
    {
        var user = await app.CreateStaffAsync(StaffRoles.Editor);
        var client = app.AnonymousClient();
        var withoutToken = await client.PostAsJsonAsync("/api/account/login", new { email = user.Email, password = LiveHubApp.Password });
        await withoutToken.AssertProblemAsync(HttpStatusCode.BadRequest, "X-CSRF-TOKEN");

        await client.UseAntiforgeryAsync();
        var signedIn = await client.PostAsJsonAsync("/api/account/login", new { email = user.Email, password = LiveHubApp.Password });
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("livehub.staff=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);

        var me = await client.GetFromJsonAsync<JsonElement>("/api/account/me");
        Assert.Equal(user.Email, me.GetProperty("email").GetString());
        Assert.Equal(StaffRoles.Editor, me.GetProperty("roles")[0].GetString());
    }

    [Fact]
    public async Task Cookie_authenticated_writes_without_the_token_are_refused()
    {
        var client = await app.CookieClientAsync(StaffRoles.Editor);
        client.DefaultRequestHeaders.Remove("X-CSRF-TOKEN");
        var response = await client.PostAsJsonAsync("/api/events", EventsTestData.Event("csrf-" + Guid.NewGuid().ToString("N")[..8]));
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "X-CSRF-TOKEN");
    }

    [Fact]
    public async Task Bearer_token_works_for_scripts_without_antiforgery()
    {
        var client = await app.BearerClientAsync(StaffRoles.Editor);
        var response = await client.PostAsJsonAsync("/api/events", EventsTestData.Event("bearer-" + Guid.NewGuid().ToString("N")[..8]));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Wrong_passwords_are_401_and_never_lock_the_owner_out()
    {
        var user = await app.CreateStaffAsync(StaffRoles.Editor);
        var client = app.AnonymousClient();
        await client.UseAntiforgeryAsync();
        for (var i = 0; i < 8; i++)
        {
            var wrong = await client.PostAsJsonAsync("/api/account/login", new { email = user.Email, password = "not the password at all" });
            await wrong.AssertProblemAsync(HttpStatusCode.Unauthorized);
        }

        var right = await client.PostAsJsonAsync("/api/account/login", new { email = user.Email, password = LiveHubApp.Password });
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Fact]
    public async Task Unknown_email_and_missing_fields_are_refused_clearly()
    {
        var client = app.AnonymousClient();
        await client.UseAntiforgeryAsync();
        var unknown = await client.PostAsJsonAsync("/api/account/login", new { email = "nobody@example.org", password = "whatever whatever" });
        await unknown.AssertProblemAsync(HttpStatusCode.Unauthorized);
        var missing = await client.PostAsJsonAsync("/api/account/login", new { email = "" });
        await missing.AssertProblemAsync(HttpStatusCode.BadRequest, "password");
    }

    [Fact]
    public async Task Responses_to_signed_in_callers_are_never_stored_by_caches()
    {
        var editor = await app.CookieClientAsync(StaffRoles.Admin);
        var bearer = await app.BearerClientAsync(StaffRoles.Admin);
        var draft = "draft-" + Guid.NewGuid().ToString("N")[..8];
        var body = new { slug = draft, title = "Draft", startsAt = "2030-06-01T09:00", endsAt = "2030-06-01T17:00", timeZone = "Europe/London", venue = new { name = "The Exchange" }, isPublished = false };
        var created = await bearer.PostAsJsonAsync("/api/events", body);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        foreach (var client in new[] { editor, bearer })
        {
            foreach (var url in new[] { "/api/account/me", "/api/staff", $"/api/events/{draft}", "/api/events" })
            {
                var response = await client.GetAsync(url);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.True(response.Headers.CacheControl?.NoStore == true, $"{url}: Cache-Control {response.Headers.CacheControl}");
            }
        }

        // Public reads by anonymous callers keep whatever caching they had.
        var anonymous = await app.AnonymousClient().GetAsync("/api/events");
        Assert.NotEqual(true, anonymous.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task Sign_out_ends_the_cookie_session()
    {
        var client = await app.CookieClientAsync(StaffRoles.Editor);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/account/logout", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/account/me")).StatusCode);
    }

    [Fact]
    public async Task Admin_manages_staff_and_cannot_remove_the_last_admin()
    {
        var admin = await app.BearerClientAsync(StaffRoles.Admin);
        var email = $"new-{Guid.NewGuid():N}@example.org";
        var created = await admin.PostAsJsonAsync("/api/staff", new { email, password = "a long enough password", role = "editor", displayName = "New Editor" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var member = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(StaffRoles.Editor, member.GetProperty("roles")[0].GetString());

        await (await admin.PostAsJsonAsync("/api/staff", new { email, password = "a long enough password", role = "Editor" })).AssertProblemAsync(HttpStatusCode.Conflict, "email");
        await (await admin.PostAsJsonAsync("/api/staff", new { email = "short@example.org", password = "short", role = "Editor" })).AssertProblemAsync(HttpStatusCode.BadRequest, "password");
        await (await admin.PostAsJsonAsync("/api/staff", new { email = "x@example.org", password = "a long enough password", role = "Owner" })).AssertProblemAsync(HttpStatusCode.BadRequest, "role");
        await (await admin.PostAsJsonAsync("/api/staff", new { email = "not-an-email", password = "a long enough password", role = "Editor" })).AssertProblemAsync(HttpStatusCode.BadRequest, "email");

        var id = member.GetProperty("id").GetString();
        var promoted = await admin.PutAsJsonAsync($"/api/staff/{id}", new { role = "Admin" });
        Assert.Equal(StaffRoles.Admin, (await promoted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("roles")[0].GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/staff/{id}")).StatusCode);
    }
}

public sealed class AccountOnSqlite(SqliteApp app) : AccountTests(app), IClassFixture<SqliteApp>;

public sealed class AccountOnPostgres(PostgresApp app) : AccountTests(app), IClassFixture<PostgresApp>;

/// <summary>Sign-in attempts are rate-limited per client address, on top of account lockout.</summary>
public sealed class SignInRateLimitTests(SignInRateLimitTests.StrictApp app) : IClassFixture<SignInRateLimitTests.StrictApp>
{
    public sealed class StrictApp : SqliteApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["SignIn:AttemptsPerMinute"] = "3" };
    }

    [Fact]
    public async Task The_fourth_attempt_in_a_minute_is_429_with_retry_after()
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await client.PostAsJsonAsync("/api/account/token", new { email = "x@example.org", password = "wrong wrong wrong" })).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
        var limited = await client.PostAsJsonAsync("/api/account/token", new { email = "x@example.org", password = "wrong wrong wrong" });
        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.RetryAfter is not null);
    }
}
