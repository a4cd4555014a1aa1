using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Data;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LiveHub.Tests.Staff;

/// <summary>
/// A staff cookie or bearer token is only as good as the account behind it, now: sign-out, deletion,
/// disabling, a role change and a password change each end every cookie and token the account had,
/// at once, on a write endpoint and on /api/account/me, and still after a restart.
/// </summary>
public abstract class RevocationTests(LiveHubApp app)
{
    public enum Revocation
    {
        SignOut,
        Deletion,
        Disabling,
        RoleChange,
        PasswordChange,
    }

    [Theory]
    [InlineData(Revocation.SignOut)]
    [InlineData(Revocation.Deletion)]
    [InlineData(Revocation.Disabling)]
    [InlineData(Revocation.RoleChange)]
    [InlineData(Revocation.PasswordChange)]
    public async Task Each_revocation_ends_the_old_cookie_and_the_old_token_at_once(Revocation revocation)
    {
        var user = await app.CreateStaffAsync(StaffRoles.Admin);
        var cookie = await StaffCredentials.CookieAsync(app, user.Email!);
        var token = await StaffCredentials.TokenAsync(app, user.Email!);
        var otherCookie = await StaffCredentials.CookieAsync(app, user.Email!);
        await AssertWorksAsync(app, cookie);
        await AssertWorksAsync(app, token);

        await RevokeAsync(revocation, user, cookie, otherCookie);

        await AssertRefusedAsync(app, cookie, revocation);
        await AssertRefusedAsync(app, token, revocation);
        await AssertRefusedAsync(app, otherCookie, revocation);
    }

    [Fact]
    public async Task A_refresh_token_is_refused_after_revocation_and_works_before()
    {
        var user = await app.CreateStaffAsync(StaffRoles.Editor);
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        var tokens = await (await client.PostAsJsonAsync("/api/account/token", new { email = user.Email, password = LiveHubApp.Password })).Content.ReadFromJsonAsync<JsonElement>();
        var refreshToken = tokens.GetProperty("refreshToken").GetString();
        Assert.True(tokens.GetProperty("expiresIn").GetInt64() <= 3600, "Access tokens are short-lived; scripts renew them with the refresh token.");

        var renewed = await client.PostAsJsonAsync("/api/account/refresh", new { refreshToken });
        Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
        var fresh = new StaffCredentials(null, null, (await renewed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString());
        await AssertWorksAsync(app, fresh);

        var bearer = new StaffCredentials(null, null, tokens.GetProperty("accessToken").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await bearer.SendAsync(app, HttpMethod.Post, "/api/account/logout")).StatusCode);

        await (await client.PostAsJsonAsync("/api/account/refresh", new { refreshToken })).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await AssertRefusedAsync(app, fresh, Revocation.SignOut);
        await (await client.PostAsJsonAsync("/api/account/refresh", new { refreshToken = "not a token" })).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Revoked_credentials_stay_refused_after_a_restart_while_others_survive_it()
    {
        var revoked = await app.CreateStaffAsync(StaffRoles.Editor);
        var kept = await app.CreateStaffAsync(StaffRoles.Editor);
        var revokedCookie = await StaffCredentials.CookieAsync(app, revoked.Email!);
        var revokedToken = await StaffCredentials.TokenAsync(app, revoked.Email!);
        var keptToken = await StaffCredentials.TokenAsync(app, kept.Email!);
        Assert.Equal(HttpStatusCode.NoContent, (await revokedCookie.SendAsync(app, HttpMethod.Post, "/api/account/logout")).StatusCode);

        await using var restarted = new SecondInstance(app);
        await restarted.InitializeAsync();
        await AssertRefusedAsync(restarted, revokedCookie, Revocation.SignOut);
        await AssertRefusedAsync(restarted, revokedToken, Revocation.SignOut);
        await AssertWorksAsync(restarted, keptToken);
    }

    [Fact]
    public async Task Admins_see_the_last_sign_in_and_cannot_disable_themselves_or_the_last_admin()
    {
        var admin = await app.BearerClientAsync(StaffRoles.Admin);
        var me = await admin.GetFromJsonAsync<JsonElement>("/api/account/me");
        var editor = await app.CreateStaffAsync(StaffRoles.Editor);
        var before = (await admin.GetFromJsonAsync<JsonElement>("/api/staff")).EnumerateArray().Single(m => m.GetProperty("id").GetString() == editor.Id);
        Assert.Equal(JsonValueKind.Null, before.GetProperty("lastSignInAt").ValueKind);

        await StaffCredentials.TokenAsync(app, editor.Email!);
        var after = (await admin.GetFromJsonAsync<JsonElement>("/api/staff")).EnumerateArray().Single(m => m.GetProperty("id").GetString() == editor.Id);
        Assert.Equal(JsonValueKind.String, after.GetProperty("lastSignInAt").ValueKind);
        Assert.False(after.GetProperty("disabled").GetBoolean());

        await (await admin.PutAsJsonAsync($"/api/staff/{me.GetProperty("id").GetString()}", new { disabled = true })).AssertProblemAsync(HttpStatusCode.Conflict, "disabled");

        var disabled = await admin.PutAsJsonAsync($"/api/staff/{editor.Id}", new { disabled = true });
        Assert.True((await disabled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("disabled").GetBoolean());
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        await (await client.PostAsJsonAsync("/api/account/token", new { email = editor.Email, password = LiveHubApp.Password })).AssertProblemAsync(HttpStatusCode.Unauthorized);

        await admin.PutAsJsonAsync($"/api/staff/{editor.Id}", new { disabled = false });
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/account/token", new { email = editor.Email, password = LiveHubApp.Password })).StatusCode);
    }

    private async Task RevokeAsync(Revocation revocation, StaffUser user, StaffCredentials cookie, StaffCredentials otherCookie)
    {
        var admin = await app.BearerClientAsync(StaffRoles.Admin);
        HttpResponseMessage response;
        switch (revocation)
        {
            case Revocation.SignOut:
                response = await otherCookie.SendAsync(app, HttpMethod.Post, "/api/account/logout");
                Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
                break;
            case Revocation.Deletion:
                Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/staff/{user.Id}")).StatusCode);
                break;
            case Revocation.Disabling:
                Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/staff/{user.Id}", new { disabled = true })).StatusCode);
                break;
            case Revocation.RoleChange:
                Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/staff/{user.Id}", new { role = StaffRoles.Editor })).StatusCode);
                break;
            case Revocation.PasswordChange:
                response = await otherCookie.SendAsync(app, HttpMethod.Post, "/api/account/password",
                    new { currentPassword = LiveHubApp.Password, newPassword = "a completely new password" });
                Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
                break;
        }
    }

    private static async Task AssertWorksAsync(LiveHubApp app, StaffCredentials credentials)
    {
        Assert.Equal(HttpStatusCode.OK, (await credentials.SendAsync(app, HttpMethod.Get, "/api/account/me")).StatusCode);
        var write = await credentials.SendAsync(app, HttpMethod.Post, "/api/events", EventsTestData.Event("rev-" + Guid.NewGuid().ToString("N")[..10]));
        Assert.Equal(HttpStatusCode.Created, write.StatusCode);
    }

    private static async Task AssertRefusedAsync(LiveHubApp app, StaffCredentials credentials, Revocation revocation)
    {
        var me = await credentials.SendAsync(app, HttpMethod.Get, "/api/account/me");
        Assert.True(me.StatusCode == HttpStatusCode.Unauthorized, $"After {revocation}, {credentials.Kind} on /api/account/me: {(int)me.StatusCode}");
        var slug = "revoked-" + Guid.NewGuid().ToString("N")[..10];
        var write = await credentials.SendAsync(app, HttpMethod.Post, "/api/events", EventsTestData.Event(slug));
        Assert.True(write.StatusCode == HttpStatusCode.Unauthorized, $"After {revocation}, {credentials.Kind} on POST /api/events: {(int)write.StatusCode}");
        var staffWrite = await credentials.SendAsync(app, HttpMethod.Post, "/api/staff",
            new { email = $"{slug}@example.org", password = "a long enough password", role = "Admin" });
        Assert.True(staffWrite.StatusCode == HttpStatusCode.Unauthorized, $"After {revocation}, {credentials.Kind} on POST /api/staff: {(int)staffWrite.StatusCode}");
        Assert.Equal(HttpStatusCode.NotFound, (await app.AnonymousClient().GetAsync($"/api/events/{slug}")).StatusCode);
    }

    /// <summary>The same app started again on the same database (and so the same key ring).</summary>
    private sealed class SecondInstance(LiveHubApp first) : LiveHubApp
    {
        public override DatabaseProvider Provider => first.Provider;

        protected override bool OwnsDatabase => false;

        protected override IReadOnlyDictionary<string, string?> Settings =>
            new Dictionary<string, string?> { ["Database:ConnectionString"] = first.ConnectionString };
    }
}

public sealed class RevocationOnSqlite(SqliteApp app) : RevocationTests(app), IClassFixture<SqliteApp>;

public sealed class RevocationOnPostgres(PostgresApp app) : RevocationTests(app), IClassFixture<PostgresApp>;

/// <summary>
/// Two instances on one PostgreSQL database: an account change on one reaches the other's account
/// check at once (NOTIFY), though the other has the account's state cached.
/// </summary>
public sealed class RevocationAcrossInstancesTests(PostgresApp first) : IClassFixture<PostgresApp>
{
    [Fact]
    public async Task Disabling_an_account_on_one_instance_ends_its_token_on_the_other_within_moments()
    {
        await using var second = new OtherInstance(first);
        await second.InitializeAsync();
        var user = await first.CreateStaffAsync(StaffRoles.Editor);
        var token = await StaffCredentials.TokenAsync(first, user.Email!);
        // Warm the second instance's cache, and wait until its change listener is connected (caching allowed).
        Assert.Equal(HttpStatusCode.OK, (await token.SendAsync(second, HttpMethod.Get, "/api/account/me")).StatusCode);
        var cache = second.Services.GetRequiredService<StaffAccountCache>();
        await Eventually.TrueAsync(() => cache.CachingAllowed, "the second instance's account change listener connects");
        Assert.Equal(HttpStatusCode.OK, (await token.SendAsync(second, HttpMethod.Get, "/api/account/me")).StatusCode);

        var admin = await first.BearerClientAsync(StaffRoles.Admin);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/staff/{user.Id}", new { disabled = true })).StatusCode);

        // NOTIFY is asynchronous: allow it a moment, far less than the cache lifetime (30 s), which is what would apply without it.
        await Eventually.TrueAsync(async () => (await token.SendAsync(second, HttpMethod.Get, "/api/account/me")).StatusCode == HttpStatusCode.Unauthorized,
            "the second instance refuses the disabled account's token", TimeSpan.FromSeconds(10));
    }

    private sealed class OtherInstance(LiveHubApp first) : PostgresApp
    {
        protected override bool OwnsDatabase => false;

        protected override IReadOnlyDictionary<string, string?> Settings =>
            new Dictionary<string, string?> { ["Database:ConnectionString"] = first.ConnectionString };
    }
}

/// <summary>A captured staff credential, sent by hand so that it can be replayed after the client would have dropped it.</summary>
public sealed record StaffCredentials(string? CookieHeader, string? CsrfToken, string? BearerToken)
{
    public string Kind => BearerToken is null ? "the old cookie" : "the old bearer token";

    public static async Task<StaffCredentials> CookieAsync(LiveHubApp app, string email)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        var cookies = new Dictionary<string, string>(StringComparer.Ordinal);
        var antiforgery = await client.GetAsync("/api/account/antiforgery");
        Collect(antiforgery, cookies);
        var token = (await antiforgery.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();

        using var login = new HttpRequestMessage(HttpMethod.Post, "/api/account/login") { Content = JsonContent.Create(new { email, password = LiveHubApp.Password }) };
        login.Headers.Add("Cookie", Header(cookies));
        login.Headers.Add(AntiforgeryForCookies.HeaderName, token);
        var signedIn = await client.SendAsync(login);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Collect(signedIn, cookies);

        // The antiforgery token is bound to the signed-in user: fetch it again with the staff cookie.
        using var again = new HttpRequestMessage(HttpMethod.Get, "/api/account/antiforgery");
        again.Headers.Add("Cookie", Header(cookies));
        var bound = await client.SendAsync(again);
        Collect(bound, cookies);
        token = (await bound.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        return new StaffCredentials(Header(cookies), token, null);
    }

    public static async Task<StaffCredentials> TokenAsync(LiveHubApp app, string email, string password = LiveHubApp.Password)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        var response = await client.PostAsJsonAsync("/api/account/token", new { email, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new StaffCredentials(null, null, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString());
    }

    public async Task<HttpResponseMessage> SendAsync(LiveHubApp app, HttpMethod method, string url, object? body = null)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        else if (method != HttpMethod.Get)
        {
            request.Content = JsonContent.Create(new { });
        }

        if (BearerToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", BearerToken);
        }
        else
        {
            request.Headers.Add("Cookie", CookieHeader);
            request.Headers.Add(AntiforgeryForCookies.HeaderName, CsrfToken);
        }

        return await client.SendAsync(request);
    }

    private static void Collect(HttpResponseMessage response, Dictionary<string, string> cookies)
    {
        if (!response.Headers.TryGetValues("Set-Cookie", out var values))
        {
            return;
        }

        foreach (var value in values)
        {
            var pair = value.Split(';')[0];
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            cookies[pair[..at]] = pair[(at + 1)..];
        }
    }

    private static string Header(Dictionary<string, string> cookies) => string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}"));
}
