using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LiveHub.Staff;
using LiveHub.Testing.FakeBluesky;
using LiveHub.Tests.Infrastructure;
using LiveHub.Tests.Live;
using Xunit.Abstractions;

namespace LiveHub.Tests.Security;

/// <summary>
/// Every POST and PUT endpoint under /api, called as an admin with mutated bodies, content types and route values:
/// never a 5xx, every 4xx an RFC 7807 problem (400/422 naming the field), no unhandled-exception log, app healthy after.
/// A new POST/PUT endpoint fails the test until it has a valid body here.
/// </summary>
public sealed partial class FuzzApiJsonTests(FuzzEnvironment environment, ITestOutputHelper output) : IClassFixture<FuzzEnvironment>
{
    /// <summary>What the valid requests refer to: created once, kept current when a fuzzed request renames it.</summary>
    private sealed class World
    {
        public required string EventSlug { get; set; }
        public required Guid SessionId { get; init; }
        public required string StreamSlug { get; init; }
        public required Guid StreamId { get; init; }
        public required Guid PostId { get; init; }
        public required string CoverageSlug { get; init; }
        public required Guid CoverageSessionId { get; init; }
        public required Guid SpeakerId { get; init; }
        public required string VenueSlug { get; set; }
        public required string StaffId { get; init; }
        public required string LoginEmail { get; init; }
        public required string RefreshToken { get; init; }
        public required Guid CrossPostItemId { get; init; }
        public required string SmallCalendar { get; init; }
        /// <summary>A personal agenda's token; replaced when a rotation succeeds.</summary>
        public required string AgendaToken { get; set; }
        /// <summary>Audience questions on the live stream, one per moderation action (an approved one to mark answered).</summary>
        public required List<Guid> Questions { get; init; }
        /// <summary>A session stream whose coverage has ended, so it has a recap.</summary>
        public required Guid RecapStreamId { get; init; }
        /// <summary>The recap's version, which an edit must name; kept current as accepted requests change it.</summary>
        public required int RecapVersion { get; set; }
    }

    /// <summary>
    /// A valid request per endpoint: route values and a body. <c>OwnAccount</c>: sent as a throwaway user (password, logout).
    /// <c>AgendaToken</c>: sent with the world's agenda token in the Agenda-Token header.
    /// </summary>
    private sealed record Template(Func<World, Dictionary<string, string>> Route, Func<Random, World, string> Body, bool OwnAccount = false, bool AgendaToken = false);

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static string Json(object body) => JsonSerializer.Serialize(body, Web);

    private static string EventBody(string slug) => Json(new
    {
        slug,
        title = "Fuzz event",
        summary = "A day of talks.",
        description = "Talks\nand more.",
        startsAt = "2030-06-01T09:00",
        endsAt = "2030-06-01T17:00",
        timeZone = "Europe/London",
        venue = new { name = "Hall", address = "1 Street, Town", latitude = 52.48, longitude = -1.9 },
        onlineUrl = "https://example.org/live",
        status = "scheduled",
        tags = new[] { "fuzz", "test" },
        organiser = "Fuzz Org",
        imageUrl = "https://example.org/i.png",
        isPublished = true,
    });

    private static string SessionBody(World w) => Json(new
    {
        title = "Fuzz talk",
        description = "About fuzzing.",
        startsAt = "2030-06-01T10:00",
        endsAt = "2030-06-01T11:00",
        room = "Room 1",
        track = "Main",
        chairId = w.SpeakerId,
        speakerIds = new[] { w.SpeakerId },
        status = "scheduled",
        coverage = "upcoming",
    });

    private static readonly Dictionary<string, Template> Templates = new(StringComparer.Ordinal)
    {
        ["POST /api/events/"] = new(_ => [], (r, _) => EventBody($"fuzz-{r.Next():x}")),
        ["PUT /api/events/{slug}"] = new(w => new() { ["slug"] = w.EventSlug }, (_, w) => EventBody(w.EventSlug)),
        ["POST /api/events/{slug}/sessions/"] = new(w => new() { ["slug"] = w.EventSlug }, (_, w) => SessionBody(w)),
        ["PUT /api/events/{slug}/sessions/{id:guid}"] = new(w => new() { ["slug"] = w.EventSlug, ["id"] = w.SessionId.ToString() }, (_, w) => SessionBody(w)),
        ["POST /api/speakers/"] = new(_ => [], (_, _) => Json(new { name = "Ada Lovelace", role = "Speaker", affiliation = "Analytical", blueskyHandle = "ada.bsky.social", bio = "Wrote the first program." })),
        ["POST /api/venues/"] = new(_ => [], (_, _) => Json(new { name = "Fuzz Hall", address = "1 Test Street", latitude = 52.45, longitude = -1.93, mapUrl = "https://maps.example.org/hall", timeZone = "Europe/London", accessibilityNotes = "Step-free." })),
        ["PUT /api/venues/{slug}"] = new(w => new() { ["slug"] = w.VenueSlug }, (_, w) => Json(new { slug = w.VenueSlug, name = "Fuzz Hall", address = "2 Test Street", timeZone = "Europe/London" })),
        ["PUT /api/speakers/{id:guid}"] = new(w => new() { ["id"] = w.SpeakerId.ToString() }, (_, _) => Json(new { name = "Ada King", role = "Chair", affiliation = "Analytical", blueskyHandle = "ada.bsky.social", bio = "Bio." })),
        ["POST /api/account/login"] = new(_ => [], (_, w) => Json(new { email = w.LoginEmail, password = LiveHubApp.Password, rememberMe = false })),
        ["POST /api/account/token"] = new(_ => [], (_, w) => Json(new { email = w.LoginEmail, password = LiveHubApp.Password })),
        ["POST /api/account/refresh"] = new(_ => [], (_, w) => Json(new { refreshToken = w.RefreshToken })),
        ["PUT /api/account/me"] = new(_ => [], (r, _) => Json(new { displayName = $"Fuzz admin {r.Next(100)}" })),
        // Signing out revokes every token of the account: the throwaway user's, not the admin's the other requests use.
        ["POST /api/account/logout"] = new(_ => [], (_, _) => "{}", OwnAccount: true),
        ["POST /api/account/password"] = new(_ => [], (_, _) => Json(new { currentPassword = "not the current password", newPassword = "another long passphrase" }), OwnAccount: true),
        ["POST /api/streams/{streamId:guid}/posts"] = new(w => new() { ["streamId"] = w.StreamId.ToString() }, (r, _) => Json(new { kind = "update", body = $"Fuzz post {r.Next()} #fuzz https://example.org", format = "plainText", linkUrl = "https://example.org/a" })),
        ["PUT /api/streams/{streamId:guid}/posts/{postId:guid}"] = new(w => new() { ["streamId"] = w.StreamId.ToString(), ["postId"] = w.PostId.ToString() }, (_, _) => Json(new { body = "Edited **post**", format = "markdown" })),
        ["PUT /api/streams/{streamId:guid}/posts/{postId:guid}/pin"] = new(w => new() { ["streamId"] = w.StreamId.ToString(), ["postId"] = w.PostId.ToString() }, (r, _) => Json(new { pinned = r.Next(2) == 0 })),
        ["PUT /api/streams/{streamId:guid}/posts/{postId:guid}/key-moment"] = new(w => new() { ["streamId"] = w.StreamId.ToString(), ["postId"] = w.PostId.ToString() }, (r, _) => Json(new { keyMoment = r.Next(2) == 0 })),
        // Multipart only: a JSON body must be refused with a problem (UploadAbuseTests covers real files).
        ["POST /api/streams/{streamId:guid}/images"] = new(w => new() { ["streamId"] = w.StreamId.ToString() }, (_, _) => Json(new { altText = "An image", file = "iVBORw0KGgo=" })),
        ["POST /api/events/{slug}/coverage/{action:regex(^(start|end)$)}"] = new(w => new() { ["slug"] = w.CoverageSlug, ["action"] = "start" }, (_, _) => "{}"),
        ["POST /api/events/{slug}/sessions/{sessionId:guid}/coverage/{action:regex(^(start|end)$)}"] = new(w => new() { ["slug"] = w.CoverageSlug, ["sessionId"] = w.CoverageSessionId.ToString(), ["action"] = "start" }, (_, _) => "{}"),
        ["POST /api/staff/"] = new(_ => [], (r, _) => Json(new { email = $"fuzz-{r.Next():x}@example.org", displayName = "Fuzz Staff", password = LiveHubApp.Password, role = StaffRoles.Editor })),
        ["PUT /api/staff/{id}"] = new(w => new() { ["id"] = w.StaffId }, (_, _) => Json(new { displayName = "Renamed", role = StaffRoles.Editor, unlock = true })),
        ["PUT /api/crosspost/settings"] = new(_ => [], (_, _) => Json(new { defaultHashtags = "#fuzz #test", defaultLanguage = "en" })),
        ["PUT /api/crosspost/account"] = new(_ => [], (_, _) => Json(new { handle = FakeBlueskyOptions.DefaultAccount.Handle, appPassword = FakeBlueskyOptions.DefaultAccount.AppPassword })),
        ["PUT /api/crosspost/events/{slug}"] = new(w => new() { ["slug"] = w.StreamSlug }, (_, _) => Json(new { enabled = true, editMode = "correctionReply", hashtags = "#fuzz", language = "en" })),
        ["POST /api/crosspost/{id:guid}/retry"] = new(w => new() { ["id"] = w.CrossPostItemId.ToString() }, (_, _) => "{}"),
        ["POST /api/crosspost/{id:guid}/skip"] = new(w => new() { ["id"] = w.CrossPostItemId.ToString() }, (_, _) => "{}"),
        ["POST /api/import/preview"] = new(_ => [], (_, w) => Json(new { fileName = "fuzz.ics", content = Convert.ToBase64String(Encoding.UTF8.GetBytes(w.SmallCalendar)), publish = false })),
        ["POST /api/import/confirm"] = new(_ => [], (_, w) => Json(new { fileName = "fuzz.ics", content = Convert.ToBase64String(Encoding.UTF8.GetBytes(w.SmallCalendar)), publish = false })),
        ["POST /api/agendas"] = new(_ => [], (_, w) => Json(new { sessionIds = new[] { w.SessionId } })),
        ["PUT /api/agenda/sessions/{sessionId:guid}"] = new(w => new() { ["sessionId"] = w.SessionId.ToString() }, (_, _) => "{}", AgendaToken: true),
        ["POST /api/agenda/token"] = new(_ => [], (_, _) => "{}", AgendaToken: true),
        ["PUT /api/events/{slug}/series/"] = new(w => new() { ["slug"] = w.EventSlug }, (_, _) => Json(new { rule = "FREQ=WEEKLY;COUNT=4", exceptions = new[] { "2030-06-08T09:00" }, overrides = Array.Empty<object>() })),
        ["POST /api/streams/{streamId:guid}/recap/"] = new(w => new() { ["streamId"] = w.RecapStreamId.ToString() }, (_, _) => "{}"),
        ["PUT /api/streams/{streamId:guid}/recap/"] = new(w => new() { ["streamId"] = w.RecapStreamId.ToString() }, (r, w) => Json(new { title = "Recap", body = $"The **key** points, {r.Next()}.", version = w.RecapVersion })),
        ["POST /api/streams/{streamId:guid}/recap/publish"] = new(w => new() { ["streamId"] = w.RecapStreamId.ToString() }, (_, _) => Json(new { postToBluesky = false })),
        ["POST /api/streams/{streamId:guid}/questions/"] = new(w => new() { ["streamId"] = w.StreamId.ToString() }, (r, _) => Json(new { text = $"Fuzz question {r.Next()}?" })),
        ["POST /api/questions/{id:guid}/approve"] = new(w => new() { ["id"] = w.Questions[0].ToString() }, (_, _) => "{}"),
        ["POST /api/questions/{id:guid}/reject"] = new(w => new() { ["id"] = w.Questions[1].ToString() }, (_, _) => "{}"),
        ["POST /api/questions/{id:guid}/answered"] = new(w => new() { ["id"] = w.Questions[2].ToString() }, (_, _) => "{}"),
        ["POST /api/questions/{id:guid}/merge"] = new(w => new() { ["id"] = w.Questions[3].ToString() }, (_, w) => Json(new { into = w.Questions[4] })),
    };

    private static readonly string[] NastyRouteValues =
    [
        // No %00: the test server refuses it before sending (Kestrel answers 400 before the app sees it).
        "", " ", "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "%FF%FE", "%C3%28", "%E2%80%AE", "%F0%9F%98%80", "'%20OR%201=1--", "%7Bslug%7D",
        "00000000-0000-0000-0000-000000000000", "not-a-guid", "START", "end", "a%2Fb", "%252F", "null", "-1", "9999999999999999999999",
    ];

    [Fact]
    public async Task Mutated_requests_to_every_write_endpoint_get_a_problem_never_a_server_error()
    {
        var app = environment.App;
        var endpoints = WriteEndpoints(app);
        var missing = endpoints.Where(e => !Templates.ContainsKey(e)).ToList();
        Assert.True(missing.Count == 0, "Give these endpoints a valid body in FuzzApiJsonTests.Templates: " + string.Join(", ", missing));
        Assert.True(Templates.Keys.All(endpoints.Contains), "Templates for endpoints that no longer exist: " + string.Join(", ", Templates.Keys.Except(endpoints)));

        var admin = await app.BearerClientAsync(StaffRoles.Admin);
        var ownAccount = await app.BearerClientAsync(StaffRoles.Editor);
        var world = await CreateWorldAsync(app, admin);
        var keys = Templates.Keys.Order(StringComparer.Ordinal).ToList();

        // Every valid body must be accepted as it is, or the mutations start from a refusal and prove little.
        foreach (var key in keys.Where(k => !k.StartsWith("POST /api/streams/{streamId:guid}/images", StringComparison.Ordinal) && !k.Contains("/password", StringComparison.Ordinal) && !k.Contains("/retry", StringComparison.Ordinal) && !k.Contains("/skip", StringComparison.Ordinal)))
        {
            var template = Templates[key];
            var response = await SendAsync(template.OwnAccount ? ownAccount : admin, key, template.Route(world), new FuzzBody(Encoding.UTF8.GetBytes(template.Body(new Random(1), world)), "application/json"),
                template.AgendaToken ? world.AgendaToken : null);
            Assert.True(response.IsSuccessStatusCode, $"The valid body for {key} was refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            await TrackAsync(key, response, world);
        }

        var seed = FuzzSettings.Seed;
        var cases = FuzzSettings.Cases(500);
        var failures = new FuzzFailures(seed, "mutated API requests");
        var statuses = new SortedDictionary<int, int>();
        var slow = new SlowestCases();
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < cases && !failures.Full; i++)
        {
            var random = FuzzSettings.ForCase(seed, i);
            var key = keys[random.Next(keys.Count)];
            var template = Templates[key];
            var route = template.Route(world);
            if (route.ContainsKey("action"))
            {
                route["action"] = random.Next(2) == 0 ? "start" : "end";
            }

            var routeMutation = "";
            if (route.Count > 0 && random.Next(6) == 0)
            {
                var name = route.Keys.ElementAt(random.Next(route.Count));
                route[name] = random.Next(3) == 0 ? new string('a', random.Next(300, 5000)) : NastyRouteValues[random.Next(NastyRouteValues.Length)];
                routeMutation = $"route {name} = '{FuzzAssertions.Shorten(route[name], 40)}'; ";
            }

            var body = FuzzJson.Mutate(random, template.Body(random, world), out var mutation);
            var logsBefore = app.Logs.Count;
            var started = stopwatch.Elapsed;
            var description = $"{key} {routeMutation}{mutation}\n  body ({body.ContentType ?? "no content type"}): {FuzzAssertions.Printable(body.Bytes, 600)}";
            HttpResponseMessage response;
            try
            {
                response = await SendAsync(template.OwnAccount ? ownAccount : admin, key, route, body, template.AgendaToken ? world.AgendaToken : null);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                failures.Add(i, description, $"the request threw {ex}");
                continue;
            }

            slow.Add(stopwatch.Elapsed - started, i, $"{key} {routeMutation}{mutation} ({body.Bytes.Length} bytes)");
            statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
            var reason = await FuzzAssertions.CheckAsync(response);
            var unhandled = app.Logs.UnhandledSince(logsBefore);
            if (reason is null && unhandled.Count > 0)
            {
                reason = "logged: " + string.Join("\n", unhandled);
            }

            if (reason is not null)
            {
                failures.Add(i, description, reason);
            }

            await TrackAsync(key, response, world);
        }

        output.WriteLine($"{cases} cases (seed {seed}) over {keys.Count} endpoints in {stopwatch.Elapsed.TotalSeconds:0.0} s; statuses: {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}");
        output.WriteLine("slowest:\n" + string.Join("\n", slow.Top(5)));
        failures.AssertNone(cases);
        await FuzzAssertions.AssertHealthyAsync(app);
        // The admin's own session survived everything it sent.
        (await admin.GetAsync("/api/staff")).EnsureSuccessStatusCode();
    }

    private static List<string> WriteEndpoints(FuzzSqliteApp app) =>
        [.. RouteTable.Routes(app.Services).Where(r => r.IsApi && r.Method is "POST" or "PUT").Select(r => r.Key)];

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string key, Dictionary<string, string> route, FuzzBody body, string? agendaToken = null)
    {
        var space = key.IndexOf(' ', StringComparison.Ordinal);
        var path = RouteParameter().Replace(key[(space + 1)..], m => route[m.Groups[1].Value]);
        using var request = new HttpRequestMessage(new HttpMethod(key[..space]), new Uri(path, UriKind.Relative));
        if (agendaToken is not null)
        {
            request.Headers.Add(LiveHub.Agenda.AgendaEndpoints.TokenHeader, agendaToken);
        }

        request.Content = new ByteArrayContent(body.Bytes);
        if (body.ContentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", body.ContentType);
        }

        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>Keeps the world's references valid when an accepted request renamed the event they point to.</summary>
    private static async Task TrackAsync(string key, HttpResponseMessage response, World world)
    {
        if (key == "PUT /api/events/{slug}" && response.IsSuccessStatusCode)
        {
            world.EventSlug = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("slug").GetString()!;
        }

        if (key == "PUT /api/venues/{slug}" && response.IsSuccessStatusCode)
        {
            world.VenueSlug = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("slug").GetString()!;
        }

        if (key == "POST /api/agenda/token" && response.IsSuccessStatusCode)
        {
            world.AgendaToken = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        }

        if (key.StartsWith('P') && key.Contains("/recap", StringComparison.Ordinal) && response.IsSuccessStatusCode
            && (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("version", out var version))
        {
            world.RecapVersion = version.GetInt32();
        }
    }

    private static async Task<World> CreateWorldAsync(LiveHubApp app, HttpClient admin)
    {
        async Task<JsonElement> Ok(Task<HttpResponseMessage> call)
        {
            var response = await call;
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
            return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        }

        var id = Guid.NewGuid().ToString("N")[..8];
        var speaker = await Ok(admin.PostAsJsonAsync("/api/speakers", new { name = "Grace Hopper" }));
        var eventSlug = $"fuzz-main-{id}";
        await Ok(admin.PostAsync("/api/events", new StringContent(EventBody(eventSlug), Encoding.UTF8, "application/json")));
        var session = await Ok(admin.PostAsJsonAsync($"/api/events/{eventSlug}/sessions", new { title = "Talk", startsAt = "2030-06-01T10:00", endsAt = "2030-06-01T11:00" }));

        // The stream's event cross-posts to the fake PDS, so fuzzed posts travel through the outbox too.
        await Ok(admin.PutAsJsonAsync("/api/crosspost/account", new { handle = FakeBlueskyOptions.DefaultAccount.Handle, appPassword = FakeBlueskyOptions.DefaultAccount.AppPassword }));
        var live = await LiveTestSupport.LiveSessionAsync(app);
        await Ok(admin.PutAsJsonAsync($"/api/crosspost/events/{live.Slug}", new { enabled = true }));
        var post = await live.PostAsync("First post");
        var crossPost = await Ok(admin.GetAsync($"/api/streams/{live.StreamId}/crosspost"));
        var itemId = crossPost.GetProperty("posts").EnumerateArray().SelectMany(p => p.GetProperty("items").EnumerateArray()).Select(i => i.GetProperty("id").GetGuid()).FirstOrDefault();
        Assert.NotEqual(Guid.Empty, itemId);

        var anonymous = app.AnonymousClient();
        var questions = new List<Guid>();
        foreach (var text in new[] { "What comes next?", "Where are the slides?", "Who funds this?", "Is it recorded?", "Will it be recorded?" })
        {
            await Ok(anonymous.PostAsJsonAsync($"/api/streams/{live.StreamId}/questions", new { text }));
            questions.Add((await Ok(admin.GetAsync($"/api/questions?streamId={live.StreamId}"))).EnumerateArray()
                .Single(q => q.GetProperty("text").GetString() == text).GetProperty("id").GetGuid());
        }

        await Ok(admin.PostAsync($"/api/questions/{questions[2]}/approve", null));

        var recap = await LiveTestSupport.LiveSessionAsync(app);
        await Ok(admin.PostAsJsonAsync($"/api/streams/{recap.StreamId}/posts", new { kind = "keyMoment", body = "The moment that mattered." }));
        await Ok(admin.PostAsync($"/api/events/{recap.Slug}/sessions/{recap.SessionId}/coverage/end", null));
        var recapVersion = (await Ok(admin.GetAsync($"/api/streams/{recap.StreamId}/recap"))).GetProperty("version").GetInt32();

        var coverage = await LiveTestSupport.LiveSessionAsync(app, start: false);
        var staff = await app.CreateStaffAsync(StaffRoles.Editor);
        var login = await app.CreateStaffAsync(StaffRoles.Editor);
        return new World
        {
            EventSlug = eventSlug,
            SessionId = session.GetProperty("id").GetGuid(),
            StreamSlug = live.Slug,
            StreamId = live.StreamId,
            PostId = post.GetProperty("id").GetGuid(),
            CoverageSlug = coverage.Slug,
            CoverageSessionId = coverage.SessionId,
            SpeakerId = speaker.GetProperty("id").GetGuid(),
            VenueSlug = (await Ok(admin.PostAsJsonAsync("/api/venues", new { name = $"Fuzz venue {id}" }))).GetProperty("slug").GetString()!,
            StaffId = staff.Id,
            LoginEmail = login.Email!,
            RefreshToken = (await (await app.CreateClient().PostAsJsonAsync("/api/account/token", new { email = login.Email, password = LiveHubApp.Password }))
                .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("refreshToken").GetString()!,
            CrossPostItemId = itemId,
            SmallCalendar = FuzzIcs.Sample(DateTime.UtcNow.Date),
            AgendaToken = (await Ok(admin.PostAsJsonAsync("/api/agendas", new { sessionIds = Array.Empty<Guid>() }))).GetProperty("token").GetString()!,
            Questions = questions,
            RecapStreamId = recap.StreamId,
            RecapVersion = recapVersion,
        };
    }

    [GeneratedRegex(@"\{([^}:]+)(:[^}]*)?\}")]
    private static partial Regex RouteParameter();
}
