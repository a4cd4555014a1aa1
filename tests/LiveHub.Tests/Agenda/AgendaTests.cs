using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LiveHub.Agenda;
using LiveHub.Staff;
using LiveHub.Tests.Calendar;
using LiveHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using static LiveHub.Tests.Calendar.CalendarTestHelpers;

namespace LiveHub.Tests.Agenda;

/// <summary>Agenda test helpers: the token header, creating an agenda, reading its feed.</summary>
internal static class AgendaClient
{
    public static HttpRequestMessage Request(HttpMethod method, string url, string? token, object? body = null)
    {
        var request = new HttpRequestMessage(method, url);
        if (token is not null)
        {
            request.Headers.Add(AgendaEndpoints.TokenHeader, token);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return request;
    }

    public static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<JsonElement> CreateAsync(HttpClient client, params string[] sessionIds) =>
        await OkAsync(await client.PostAsJsonAsync("/api/agendas", new { sessionIds }));

    public static async Task<JsonElement> SendAsync(HttpClient client, HttpMethod method, string url, string token) =>
        await OkAsync(await client.SendAsync(Request(method, url, token)));

    public static string FeedPath(JsonElement agenda) => new Uri(agenda.GetProperty("feedUrl").GetString()!).AbsolutePath;

    public static string[] Uids(string ics) => [.. Unfold(ics).Where(l => l.StartsWith("UID:", StringComparison.Ordinal)).Select(l => l[4..])];
}

/// <summary>Personal agendas: an attendee's pick of sessions and its private feed, kept in sync, behind a token only its holder has.</summary>
public abstract class AgendaTests(LiveHubApp app)
{
    private async Task<(string Slug, string EventId, string First, string Second)> EventWithTwoSessionsAsync(HttpClient editor)
    {
        var slug = Slug("agenda");
        var e = await CreateEventAsync(editor, Event(slug, "2030-06-01T09:00", "2030-06-01T17:00"));
        var first = await CreateSessionAsync(editor, slug, Session("Morning panel", "2030-06-01T10:00", "2030-06-01T11:00"));
        var second = await CreateSessionAsync(editor, slug, Session("Afternoon workshop", "2030-06-01T14:00", "2030-06-01T15:00"));
        return (slug, e.GetProperty("id").GetString()!, first.GetProperty("id").GetString()!, second.GetProperty("id").GetString()!);
    }

    [Fact]
    public async Task The_private_feed_follows_the_picked_sessions_and_their_changes()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var (slug, eventId, first, second) = await EventWithTwoSessionsAsync(editor);
        var client = app.AnonymousClient();

        var agenda = await AgendaClient.CreateAsync(client, first);
        var token = agenda.GetProperty("token").GetString()!;
        Assert.Matches("^[A-Za-z0-9_-]{43}$", token);
        Assert.Equal($"{CalendarSettings.PublicBaseUrl}/agenda/{token}.ics", agenda.GetProperty("feedUrl").GetString());
        Assert.Equal($"webcal://hub.example.org/agenda/{token}.ics", agenda.GetProperty("webcalUrl").GetString());
        var feedPath = AgendaClient.FeedPath(agenda);

        var response = await client.GetAsync(feedPath);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.True(response.Headers.CacheControl is { Private: true, NoCache: true, Public: false }, response.Headers.CacheControl?.ToString());
        var feed = await response.Content.ReadAsStringAsync();
        Assert.Equal([first], AgendaClient.Uids(feed));
        Assert.DoesNotContain(eventId, feed);
        Assert.Contains("X-WR-CALNAME:My LiveHub agenda", Unfold(feed));

        // Adding is idempotent; the feed follows.
        await AgendaClient.SendAsync(client, HttpMethod.Put, $"/api/agenda/sessions/{second}", token);
        var listed = await AgendaClient.SendAsync(client, HttpMethod.Put, $"/api/agenda/sessions/{second}", token);
        Assert.Equal([first, second], listed.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Equal([first, second], AgendaClient.Uids(await client.GetStringAsync(feedPath)).Order());

        // Staff move the morning panel: the agenda feed shows the new time with a higher SEQUENCE, same UID.
        var before = VEvent(await client.GetStringAsync(feedPath), first);
        (await editor.PutAsJsonAsync($"/api/events/{slug}/sessions/{first}", Session("Morning panel", "2030-06-01T10:30", "2030-06-01T11:30"))).EnsureSuccessStatusCode();
        var moved = VEvent(await client.GetStringAsync(feedPath), first);
        Assert.Equal("20300601T103000", Property(moved, "DTSTART;TZID=Europe/London"));
        Assert.True(int.Parse(Property(moved, "SEQUENCE")) > int.Parse(Property(before, "SEQUENCE")));

        // Removing one takes it out of the feed.
        var removed = await AgendaClient.SendAsync(client, HttpMethod.Delete, $"/api/agenda/sessions/{first}", token);
        Assert.Equal([second], removed.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Equal([second], AgendaClient.Uids(await client.GetStringAsync(feedPath)));

        // Staff delete the workshop: the agenda keeps it as cancelled (feed and API) for the grace period.
        (await editor.DeleteAsync($"/api/events/{slug}/sessions/{second}")).EnsureSuccessStatusCode();
        Assert.Equal("CANCELLED", Property(VEvent(await client.GetStringAsync(feedPath), second), "STATUS"));
        var now = await AgendaClient.SendAsync(client, HttpMethod.Get, "/api/agenda", token);
        var gone = now.GetProperty("sessions").EnumerateArray().Single();
        Assert.True(gone.GetProperty("removed").GetBoolean());
        Assert.Equal("cancelled", gone.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Only_a_hash_of_the_token_is_stored_and_a_rotated_or_revoked_token_stops_working_at_once()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var (_, _, first, _) = await EventWithTwoSessionsAsync(editor);
        var client = app.AnonymousClient();
        var agenda = await AgendaClient.CreateAsync(client, first);
        var token = agenda.GetProperty("token").GetString()!;
        var oldFeed = AgendaClient.FeedPath(agenda);

        await app.WithDbAsync(async db =>
        {
            var stored = await db.Set<PersonalAgenda>().AsNoTracking().ToListAsync();
            Assert.DoesNotContain(stored, a => a.TokenHash.Contains(token, StringComparison.Ordinal));
            Assert.Contains(stored, a => a.TokenHash == Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token))));
        });

        // Two agendas never share a token.
        var other = await AgendaClient.CreateAsync(client);
        Assert.NotEqual(token, other.GetProperty("token").GetString());

        var rotated = await AgendaClient.SendAsync(client, HttpMethod.Post, "/api/agenda/token", token);
        var newToken = rotated.GetProperty("token").GetString()!;
        Assert.NotEqual(token, newToken);
        Assert.Equal([first], rotated.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        await (await client.SendAsync(AgendaClient.Request(HttpMethod.Get, "/api/agenda", token))).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync(oldFeed)).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal([first], AgendaClient.Uids(await client.GetStringAsync(AgendaClient.FeedPath(rotated))));

        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(AgendaClient.Request(HttpMethod.Delete, "/api/agenda", newToken))).StatusCode);
        await (await client.SendAsync(AgendaClient.Request(HttpMethod.Get, "/api/agenda", newToken))).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync(AgendaClient.FeedPath(rotated))).AssertProblemAsync(HttpStatusCode.NotFound);
        await app.WithDbAsync(async db => Assert.False(await db.Set<AgendaSession>().AnyAsync(s => s.SessionId == Guid.Parse(first))));
    }

    [Fact]
    public async Task Bad_input_is_a_problem_naming_the_field_and_no_answer_repeats_a_token()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var (_, _, first, _) = await EventWithTwoSessionsAsync(editor);
        var draft = Slug("draft");
        await CreateEventAsync(editor, Event(draft, published: false));
        var hidden = (await CreateSessionAsync(editor, draft, Session("Not public yet", "2030-06-01T10:00", "2030-06-01T11:00"))).GetProperty("id").GetString()!;
        var client = app.AnonymousClient();

        await (await client.GetAsync("/api/agenda")).AssertProblemAsync(HttpStatusCode.BadRequest, AgendaEndpoints.TokenHeader);
        await (await client.PostAsJsonAsync("/api/agendas", new { sessionIds = new[] { first, Guid.NewGuid().ToString() } })).AssertProblemAsync(HttpStatusCode.BadRequest, "sessionIds[1]");
        await (await client.PostAsJsonAsync("/api/agendas", new { sessionIds = new[] { hidden } })).AssertProblemAsync(HttpStatusCode.BadRequest, "sessionIds[0]");
        await (await client.PostAsJsonAsync("/api/agendas", new { sessionIds = "nope" })).AssertProblemAsync(HttpStatusCode.BadRequest);

        var token = (await AgendaClient.CreateAsync(client)).GetProperty("token").GetString()!;
        await (await client.SendAsync(AgendaClient.Request(HttpMethod.Put, $"/api/agenda/sessions/{hidden}", token))).AssertProblemAsync(HttpStatusCode.NotFound);

        // A well-formed token that matches nothing, and one that is not even well-formed: the same answer, without the token in it.
        var unknown = AgendaTokens.New();
        foreach (var candidate in new[] { unknown, "short", new string('x', 300), "<script>alert(1)</script>" })
        {
            var api = await client.SendAsync(AgendaClient.Request(HttpMethod.Get, "/api/agenda", candidate));
            var body = await api.Content.ReadAsStringAsync();
            await api.AssertProblemAsync(HttpStatusCode.NotFound);
            Assert.DoesNotContain(candidate, body, StringComparison.Ordinal);
        }

        var feed = await client.GetAsync($"/agenda/{unknown}.ics");
        var feedBody = await feed.Content.ReadAsStringAsync();
        await feed.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain(unknown, feedBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Staff_credentials_grant_nothing_the_token_is_the_only_key()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var (_, _, first, second) = await EventWithTwoSessionsAsync(editor);
        var mine = (await AgendaClient.CreateAsync(app.AnonymousClient(), first)).GetProperty("token").GetString()!;
        var theirs = (await AgendaClient.CreateAsync(app.AnonymousClient(), second)).GetProperty("token").GetString()!;

        foreach (var caller in new[] { editor, await app.BearerClientAsync(StaffRoles.Admin), await app.CookieClientAsync(StaffRoles.Admin) })
        {
            await (await caller.GetAsync("/api/agenda")).AssertProblemAsync(HttpStatusCode.BadRequest, AgendaEndpoints.TokenHeader);
            await (await caller.DeleteAsync("/api/agenda")).AssertProblemAsync(HttpStatusCode.BadRequest, AgendaEndpoints.TokenHeader);
        }

        // Each token reaches its own agenda only.
        var seen = await AgendaClient.SendAsync(app.AnonymousClient(), HttpMethod.Get, "/api/agenda", theirs);
        Assert.Equal([second], seen.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        await AgendaClient.SendAsync(app.AnonymousClient(), HttpMethod.Delete, $"/api/agenda/sessions/{first}", theirs);
        var still = await AgendaClient.SendAsync(app.AnonymousClient(), HttpMethod.Get, "/api/agenda", mine);
        Assert.Equal([first], still.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
    }
}

public sealed class AgendaOnSqlite(CalendarSqliteApp app) : AgendaTests(app), IClassFixture<CalendarSqliteApp>;

public sealed class AgendaOnPostgres(CalendarPostgresApp app) : AgendaTests(app), IClassFixture<CalendarPostgresApp>;

/// <summary>
/// Lookups with tokens that match nothing are limited per client address; and with LiveHub's log categories at
/// Trace (the others at the shipped levels, where ASP.NET Core writes no request URLs), no token is ever logged,
/// not even in a log scope.
/// </summary>
public sealed class AgendaLookupLimitAndLoggingTests(AgendaLookupLimitAndLoggingTests.App app) : IClassFixture<AgendaLookupLimitAndLoggingTests.App>
{
    public sealed class App : SqliteApp
    {
        public RecordingLoggerProvider Logs { get; } = new();

        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Agenda:FailedLookupsPerMinute"] = "5",
            // LiveHub's own categories at every level; the rest as shipped (appsettings.json). Log scopes count
            // too: ASP.NET Core puts the request path in every record's scope, so nothing may log during a feed request.
            ["Logging:LogLevel:LiveHub"] = "Trace",
        };

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureLogging(logging => logging.AddProvider(Logs));
            builder.ConfigureTestServices(services => services.AddSingleton(new AgendaLookupThrottle(
                Microsoft.Extensions.Options.Options.Create(new AgendaOptions { FailedLookupsPerMinute = 5 }), Clock)));
        }
    }

    [Fact]
    public async Task Unknown_tokens_are_limited_per_address_and_no_token_reaches_the_logs()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = Slug("limited");
        await CreateEventAsync(editor, Event(slug));
        var session = (await CreateSessionAsync(editor, slug, Session("Panel", "2030-06-01T10:00", "2030-06-01T11:00"))).GetProperty("id").GetString()!;
        var client = app.AnonymousClient();
        var agenda = await AgendaClient.CreateAsync(client, session);
        var token = agenda.GetProperty("token").GetString()!;
        var tokens = new List<string> { token };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(AgendaClient.FeedPath(agenda))).StatusCode);
        await AgendaClient.SendAsync(client, HttpMethod.Delete, $"/api/agenda/sessions/{session}", token);
        await AgendaClient.SendAsync(client, HttpMethod.Put, $"/api/agenda/sessions/{session}", token);
        var rotated = await AgendaClient.SendAsync(client, HttpMethod.Post, "/api/agenda/token", token);
        tokens.Add(rotated.GetProperty("token").GetString()!);

        // Successful lookups are never limited.
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(AgendaClient.FeedPath(rotated))).StatusCode);
        }

        // Five misses (API or feed) are answered 404; the sixth lookup, even with a good token, is refused.
        for (var i = 0; i < 5; i++)
        {
            var guess = AgendaTokens.New();
            tokens.Add(guess);
            var response = i % 2 == 0 ? await client.GetAsync($"/agenda/{guess}.ics") : await client.SendAsync(AgendaClient.Request(HttpMethod.Get, "/api/agenda", guess));
            await response.AssertProblemAsync(HttpStatusCode.NotFound);
        }

        var refused = await client.GetAsync(AgendaClient.FeedPath(rotated));
        await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.InRange(int.Parse(refused.Headers.RetryAfter!.ToString()), 1, 60);
        await (await client.SendAsync(AgendaClient.Request(HttpMethod.Get, "/api/agenda", tokens[1]))).AssertProblemAsync(HttpStatusCode.TooManyRequests);

        // After the minute, the address may look up again.
        app.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(AgendaClient.FeedPath(rotated))).StatusCode);

        Assert.True(app.Logs.Count > 0);
        var leaks = app.Logs.Records.Where(r => tokens.Any(t => r.Text.Contains(t, StringComparison.Ordinal))).ToList();
        Assert.True(leaks.Count == 0, "Agenda tokens in the logs:\n" + string.Join("\n", leaks));
    }
}
