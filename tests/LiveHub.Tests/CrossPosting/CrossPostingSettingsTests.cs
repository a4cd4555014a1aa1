using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.CrossPosting;
using LiveHub.Data;
using LiveHub.Staff;
using LiveHub.Testing.FakeBluesky;
using Microsoft.EntityFrameworkCore;
using LiveHub.Tests.Infrastructure;
using static LiveHub.Tests.CrossPosting.CrossPostTestSupport;

namespace LiveHub.Tests.CrossPosting;

public abstract class CrossPostingSettingsTests(DatabaseProvider provider) : IAsyncLifetime
{
    private FakeBlueskyServer _pds = null!;
    private CrossPostingDatabase _database = null!;
    private CrossPostingHost _host = null!;

    public async Task InitializeAsync()
    {
        _pds = await FakeBlueskyServer.StartAsync();
        _database = await CrossPostingDatabase.CreateAsync(provider);
        _host = _database.Host(_pds);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _database.DisposeAsync();
        await _pds.DisposeAsync();
    }

    [Fact]
    public async Task Connecting_tests_the_login_stores_the_password_encrypted_and_never_returns_it()
    {
        var admin = await _host.BearerClientAsync(StaffRoles.Admin);
        var secret = _pds.DefaultAccount.AppPassword;

        var wrong = await admin.PutAsJsonAsync("/api/crosspost/account", new { handle = _pds.DefaultAccount.Handle, appPassword = "wrong-pass-word-0000" });
        await wrong.AssertProblemAsync(HttpStatusCode.BadRequest, "appPassword");
        Assert.Equal(JsonValueKind.Null, (await admin.GetFromJsonAsync<JsonElement>("/api/crosspost/settings")).GetProperty("account").ValueKind);

        var connect = await admin.PutAsJsonAsync("/api/crosspost/account", new { handle = "@" + _pds.DefaultAccount.Handle, appPassword = secret });
        var connectBody = await connect.Content.ReadAsStringAsync();
        Assert.True(connect.IsSuccessStatusCode, connectBody);
        Assert.Equal(2, _pds.CountRequests("com.atproto.server.createSession")); // the wrong attempt and this one

        var settings = await admin.GetStringAsync("/api/crosspost/settings");
        var jobs = await admin.GetStringAsync("/api/crosspost/jobs");
        var page = await _host.CreateClient().GetStringAsync("/staff/settings");
        var script = await _host.CreateClient().GetStringAsync("/staff/js/crosspost-settings.js");
        foreach (var text in new[] { connectBody, settings, jobs, page, script })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        var account = JsonDocument.Parse(settings).RootElement.GetProperty("account");
        Assert.Equal(_pds.DefaultAccount.Handle, account.GetProperty("handle").GetString());
        Assert.Equal(_pds.DefaultAccount.Did, account.GetProperty("did").GetString());

        var stored = await _host.WithDbAsync(db => db.Set<CrossPostAccount>().AsNoTracking().SingleAsync());
        Assert.DoesNotContain(secret, stored.ProtectedAppPassword!, StringComparison.Ordinal);
        Assert.DoesNotContain("accessJwt", stored.ProtectedSession!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_session_from_connecting_is_reused_so_posting_does_not_log_in_again_even_after_a_restart()
    {
        var live = await ScenarioAsync(_host, _pds);
        await live.PostAsync("First");
        await _pds.WaitForPostsAsync(2);
        await _host.DisposeAsync();
        _host = _database.Host(_pds);
        var editor = await _host.BearerClientAsync(StaffRoles.Editor);
        (await editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/posts", new { kind = "update", body = "After the restart" })).EnsureSuccessStatusCode();
        await _pds.WaitForPostsAsync(3);
        Assert.Equal(1, _pds.CountRequests("com.atproto.server.createSession"));
    }

    [Fact]
    public async Task Settings_are_validated_and_saved_per_event()
    {
        var live = await ScenarioAsync(_host, _pds, start: false);
        var bad = await live.Admin.PutAsJsonAsync("/api/crosspost/settings", new { defaultHashtags = "#ok #1234", defaultLanguage = "english!" });
        var problem = await bad.AssertProblemAsync(HttpStatusCode.BadRequest, "defaultHashtags");
        Assert.True(problem.GetProperty("errors").TryGetProperty("defaultLanguage", out _), problem.ToString());
        var good = await live.Admin.PutAsJsonAsync("/api/crosspost/settings", new { defaultHashtags = "ConfLive, #Panel", defaultLanguage = "en" });
        var saved = await good.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("#ConfLive #Panel", saved.GetProperty("defaultHashtags").GetString());

        var update = await live.Admin.PutAsJsonAsync($"/api/crosspost/events/{live.Slug}", new { enabled = true, editMode = "deleteAndRepost", language = "pt-BR" });
        Assert.True(update.IsSuccessStatusCode, await update.Content.ReadAsStringAsync());
        var events = await live.Admin.GetFromJsonAsync<JsonElement>("/api/crosspost/events");
        var e = events.EnumerateArray().Single(x => x.GetProperty("slug").GetString() == live.Slug);
        Assert.True(e.GetProperty("enabled").GetBoolean());
        Assert.Equal("deleteAndRepost", e.GetProperty("editMode").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await live.Admin.PutAsJsonAsync("/api/crosspost/events/no-such-event", new { enabled = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await live.Editor.GetAsync("/api/crosspost/settings")).StatusCode);
    }
}

public sealed class CrossPostingSettingsTestsOnSqlite() : CrossPostingSettingsTests(DatabaseProvider.Sqlite);

public sealed class CrossPostingSettingsTestsOnPostgres() : CrossPostingSettingsTests(DatabaseProvider.Postgres);
