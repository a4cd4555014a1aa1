using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveHub.CrossPosting;
using LiveHub.Data;
using LiveHub.Staff;
using LiveHub.Testing.FakeBluesky;
using LiveHub.Tests.CrossPosting;
using LiveHub.Tests.Hosting;
using LiveHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LiveHub.Tests.Security;

/// <summary>
/// Every secret the app handles (staff passwords old and new, the Bluesky app password, bearer access and refresh
/// tokens, the staff cookie, and the PDS's access and refresh JWTs) is used for real, then looked for in every log
/// record at every level, every GET response of the API, every staff and public page, and the database file.
/// </summary>
public sealed class SecretsTests : IAsyncLifetime, IDisposable
{
    private FakeBlueskyServer _pds = null!;
    private CrossPostingDatabase _database = null!;
    private CrossPostingHost _host = null!;
    private WebApplicationFactory<Program> _app = null!;
    private readonly RecordingLoggerProvider _logs = new();

    public async Task InitializeAsync()
    {
        _pds = await FakeBlueskyServer.StartAsync();
        _database = await CrossPostingDatabase.CreateAsync(DatabaseProvider.Sqlite);
        _host = new CrossPostingHost(_database.Provider, _database.ConnectionString, _database.DataDirectory, _pds);
        _app = _host.WithWebHostBuilder(builder => builder.ConfigureLogging(logging =>
        {
            logging.AddProvider(_logs);
            // A provider-specific rule outranks the category rules from appsettings: this provider sees everything.
            logging.AddFilter<RecordingLoggerProvider>(null, LogLevel.Trace);
            logging.SetMinimumLevel(LogLevel.Trace);
        }));
        _ = _app.Services;
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _host.DisposeAsync();
        await _database.DisposeAsync();
        await _pds.DisposeAsync();
    }

    public void Dispose()
    {
        _logs.Dispose();
        _host.Dispose();
    }

    [Fact]
    public async Task No_secret_reaches_a_log_a_response_a_page_or_the_database_in_plain_text()
    {
        var staffPassword = "staff secret " + Guid.NewGuid().ToString("N");
        var newStaffPassword = "changed secret " + Guid.NewGuid().ToString("N");
        var email = $"admin-{Guid.NewGuid():N}@example.org";
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            var user = new StaffUser { UserName = email, Email = email, CreatedAtUtc = DateTime.UtcNow };
            Assert.True((await users.CreateAsync(user, staffPassword)).Succeeded);
            Assert.True((await users.AddToRoleAsync(user, StaffRoles.Admin)).Succeeded);
        }

        // Sign in with the cookie (and fail once first, as people do), and get bearer tokens.
        var browser = _app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true });
        await browser.UseAntiforgeryAsync();
        var wrongPassword = "wrong secret " + Guid.NewGuid().ToString("N");
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.PostAsJsonAsync("/api/account/login", new { email, password = wrongPassword })).StatusCode);
        var login = await browser.PostAsJsonAsync("/api/account/login", new { email, password = staffPassword });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var staffCookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("livehub.staff=", StringComparison.Ordinal)).Split(';')[0]["livehub.staff=".Length..];
        await browser.UseAntiforgeryAsync();

        var script = _app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        var tokens = await (await script.PostAsJsonAsync("/api/account/token", new { email, password = staffPassword })).Content.ReadFromJsonAsync<JsonElement>();
        var accessToken = tokens.GetProperty("accessToken").GetString()!;
        var refreshToken = tokens.GetProperty("refreshToken").GetString()!;
        script.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);

        // Connect Bluesky (a wrong app password first), then cross-post, with a token refresh in between.
        var appPassword = _pds.DefaultAccount.AppPassword;
        var wrongAppPassword = "wron-gapp-pass-" + Guid.NewGuid().ToString("N")[..4];
        await (await browser.PutAsJsonAsync("/api/crosspost/account", new { handle = _pds.DefaultAccount.Handle, appPassword = wrongAppPassword }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "appPassword");
        var connect = await browser.PutAsJsonAsync("/api/crosspost/account", new { handle = _pds.DefaultAccount.Handle, appPassword });
        Assert.True(connect.IsSuccessStatusCode, await connect.Content.ReadAsStringAsync());

        var slug = "secrets-" + Guid.NewGuid().ToString("N")[..8];
        (await script.PostAsJsonAsync("/api/events", EventsTestData.Event(slug))).EnsureSuccessStatusCode();
        var session = await (await script.PostAsJsonAsync($"/api/events/{slug}/sessions", new { title = "Panel", startsAt = "2030-06-01T14:00", endsAt = "2030-06-01T15:00" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var sessionId = session.GetProperty("id").GetString();
        var streamId = (await script.GetFromJsonAsync<JsonElement>($"/api/events/{slug}/streams")).EnumerateArray()
            .Single(s => s.GetProperty("sessionId").ValueKind == JsonValueKind.String).GetProperty("id").GetString();
        (await script.PutAsJsonAsync($"/api/crosspost/events/{slug}", new { enabled = true })).EnsureSuccessStatusCode();
        (await script.PostAsync($"/api/events/{slug}/sessions/{sessionId}/coverage/start", null)).EnsureSuccessStatusCode();
        (await script.PostAsJsonAsync($"/api/streams/{streamId}/posts", new { body = "First update" })).EnsureSuccessStatusCode();
        await _pds.WaitForPostsAsync(2);
        _pds.ExpireAccessTokens();
        (await browser.PostAsJsonAsync($"/api/streams/{streamId}/posts", new { body = "Second update" })).EnsureSuccessStatusCode();
        await _pds.WaitForPostsAsync(3);
        Assert.True(_pds.CountRequests("com.atproto.server.refreshSession") >= 1, "the PDS session was never refreshed");

        var changed = await browser.PostAsJsonAsync("/api/account/password", new { currentPassword = staffPassword, newPassword = newStaffPassword });
        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);

        var secrets = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["staff password"] = staffPassword,
            ["new staff password"] = newStaffPassword,
            ["mistyped staff password"] = wrongPassword,
            ["Bluesky app password"] = appPassword,
            ["mistyped Bluesky app password"] = wrongAppPassword,
            ["bearer access token"] = accessToken,
            ["bearer refresh token"] = refreshToken,
            ["staff cookie"] = staffCookie,
        };
        var pdsTokens = _pds.IssuedTokens;
        Assert.True(pdsTokens.Count >= 4, $"the PDS issued only {pdsTokens.Count} tokens");
        for (var i = 0; i < pdsTokens.Count; i++)
        {
            secrets[$"PDS token #{i}"] = pdsTokens[i];
        }

        Assert.Contains(_pds.Requests, r => r.Token is { } t && pdsTokens.Contains(t)); // the PDS tokens were really used

        var leaks = new List<string>();
        void Scan(string where, string text)
        {
            foreach (var (name, secret) in secrets)
            {
                var at = text.IndexOf(secret, StringComparison.Ordinal);
                at = at >= 0 ? at : text.IndexOf(JsonEncodedText.Encode(secret).ToString(), StringComparison.Ordinal);
                if (at >= 0)
                {
                    leaks.Add($"{name} in {where}: …{text[Math.Max(0, at - 80)..at]}");
                }
            }
        }

        // Every GET under /api, as the admin.
        var getPatterns = RouteTable.Routes(_app.Services).Where(r => r.IsApi && r.Method == "GET").Select(r => r.Pattern).Distinct().ToList();
        Assert.True(getPatterns.Count >= 15, $"only {getPatterns.Count} GET endpoints");
        var speakers = await script.GetFromJsonAsync<JsonElement>("/api/speakers");
        foreach (var pattern in getPatterns)
        {
            var url = System.Text.RegularExpressions.Regex.Replace(pattern, @"\{([^}:]+)(:[^}]*)?\}", m => m.Groups[1].Value switch
            {
                "slug" => slug,
                "streamId" => streamId!,
                "id" when pattern.Contains("/sessions/", StringComparison.Ordinal) => sessionId!,
                "id" when pattern.Contains("/streams/", StringComparison.Ordinal) => streamId!,
                "id" when pattern.Contains("/speakers/", StringComparison.Ordinal) && speakers.GetArrayLength() > 0 => speakers[0].GetProperty("id").GetString()!,
                _ => Guid.Empty.ToString(),
            });
            foreach (var client in new[] { script, browser })
            {
                var response = await client.GetAsync(url);
                Assert.True((int)response.StatusCode < 500, $"{url}: {(int)response.StatusCode}");
                Scan($"GET {url} ({(int)response.StatusCode})", await response.Content.ReadAsStringAsync() + response.Headers);
            }
        }

        // Every staff page and script, and the public pages and feeds.
        var webRoot = Path.Combine(HostingOnSqlite.RepositoryRoot(), "wwwroot");
        var files = Directory.EnumerateFiles(Path.Combine(webRoot, "staff"), "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(webRoot, "js")))
            .Select(f => "/" + Path.GetRelativePath(webRoot, f).Replace('\\', '/')).ToList();
        Assert.True(files.Count >= 10, $"only {files.Count} staff files");
        foreach (var url in files.Concat(["/events", $"/events/{slug}", $"/live/{slug}", $"/live/{slug}/sessions/{sessionId}", $"/live/{slug}/feed.atom",
            $"/events/{slug}.ics", "/calendar.ics", "/healthz", "/openapi/v1.json", "/staff/"]))
        {
            var response = await browser.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode}");
            Scan($"GET {url}", await response.Content.ReadAsStringAsync());
        }

        // The database: the app password and the PDS session are stored encrypted, and nothing else holds a secret.
        CrossPostAccount account;
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            account = await scope.ServiceProvider.GetRequiredService<LiveHubDbContext>().Set<CrossPostAccount>().AsNoTracking().SingleAsync();
        }

        Assert.False(string.IsNullOrEmpty(account.ProtectedAppPassword));
        Assert.False(string.IsNullOrEmpty(account.ProtectedSession));
        Scan("the ProtectedAppPassword column", account.ProtectedAppPassword!);
        Scan("the ProtectedSession column", account.ProtectedSession!);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in Directory.EnumerateFiles(_database.DataDirectory, "livehub.db*"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            Scan($"the database file {Path.GetFileName(file)}", await reader.ReadToEndAsync());
        }

        // Every log record, at every level, with its exception and scopes.
        var records = _logs.Records.ToList();
        Assert.True(records.Count > 100, $"only {records.Count} log records captured");
        Assert.Contains(records, r => r.Level <= LogLevel.Debug);
        Assert.Contains(records, r => r.Category == "LiveHub.CrossPosting.BlueskyHttpLogger"); // the PDS requests were logged
        foreach (var record in records)
        {
            Scan($"a {record.Level} log record of {record.Category}", record.Text);
        }

        Assert.True(leaks.Count == 0, string.Join(Environment.NewLine, leaks.Distinct()));
    }
}
