using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LiveHub.Testing.FakeBluesky;

namespace LiveHub.Bluesky.Tests.Fake;

/// <summary>The fake must behave like the reference PDS where the client and the web app's tests depend on it.</summary>
public sealed class FakeBlueskyServerTests
{
    [Theory]
    [InlineData("""{"text":"x","createdAt":"2026-11-21T13:42:00"}""", "Invalid datetime")]
    [InlineData("""{"text":"x","createdAt":"2026-11-21T13:42:00.000Z","langs":["en","fr","de","es"]}""", "array too big (maximum 3, got 4) at $.record.langs")]
    [InlineData("""{"text":"x","createdAt":"2026-11-21T13:42:00.000Z","langs":["english!"]}""", "Invalid language (got \"english!\")")]
    [InlineData("""{"text":"x","createdAt":"2026-11-21T13:42:00.000Z","reply":{"parent":{"uri":"at://a/b/c","cid":"bafy"}}}""", "Missing required key \"root\" at $.record.reply")]
    [InlineData("""{"text":"x","createdAt":"2026-11-21T13:42:00.000Z","facets":[{"index":{"byteStart":0,"byteEnd":1},"features":[{"$type":"app.bsky.richtext.facet#mention","did":""}]}]}""", "Invalid DID (got \"\") at $.record.facets[0].features[0].did")]
    [InlineData("""{"text":"x","createdAt":"2026-11-21T13:42:00.000Z","facets":[{"index":{"byteStart":0,"byteEnd":1},"features":[{"$type":"app.bsky.richtext.facet#link","uri":"example dot com"}]}]}""", "Invalid uri (got \"example dot com\")")]
    [InlineData("""{"text":"x","createdAt":"2026-11-21T13:42:00.000Z","embed":{"$type":"app.bsky.embed.images","images":[{"image":{"$type":"blob","ref":{"$link":"bafkrei"},"mimeType":"image/png","size":1}}]}}""", "Missing required key \"alt\"")]
    public async Task Post_validation_matches_the_reference_pds_messages(string record, string expectedMessage)
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        using var client = TestClients.Create(server);

        var ex = await Assert.ThrowsAsync<XrpcException>(() => client.Repo.PutRecordAsync(PostRecord.Collection, client.Tids.Next(), record, RecordSwap.MustNotExist));

        Assert.Equal(XrpcErrors.InvalidRequest, ex.Error);
        Assert.Contains(expectedMessage, ex.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(server.GetRecords());
    }

    [Fact]
    public async Task Byte_and_grapheme_limits_are_both_enforced()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        using var client = TestClients.Create(server);
        var families = string.Concat(Enumerable.Repeat("👨‍👩‍👧‍👦", 120));
        string Record(string text) => JsonSerializer.Serialize(new Dictionary<string, string> { ["text"] = text, ["createdAt"] = "2026-11-21T13:42:00.000Z" });

        await client.Repo.CreateRecordAsync(PostRecord.Collection, Record(families), client.Tids.Next());
        var ex = await Assert.ThrowsAsync<XrpcException>(() => client.Repo.CreateRecordAsync(PostRecord.Collection, Record(families + "a"), client.Tids.Next()));

        Assert.EndsWith("string too big (maximum 3000, got 3001) at $.record.text", ex.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal("app.bsky.feed.post", server.GetRecords().Single().Value.GetProperty("$type").GetString());
    }

    [Fact]
    public async Task Identical_content_gets_the_identical_cid()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        using var client = TestClients.Create(server);
        var json = TestClients.Post("same").ToJson();

        var a = await client.Repo.CreateRecordAsync(PostRecord.Collection, json, client.Tids.Next());
        var b = await client.Repo.CreateRecordAsync(PostRecord.Collection, json, client.Tids.Next());
        var c = await client.Repo.CreateRecordAsync(PostRecord.Collection, TestClients.Post("different").ToJson(), client.Tids.Next());

        Assert.Equal(a.Cid, b.Cid);
        Assert.NotEqual(a.Cid, c.Cid);
        Assert.StartsWith("bafyrei", a.Cid, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rotated_refresh_token_keeps_working_during_the_grace_period_and_returns_the_same_successor()
    {
        var time = new ManualTimeProvider();
        await using var server = await FakeBlueskyServer.StartAsync(o => o.TimeProvider = time);
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        var session = await PostJsonAsync(http, "com.atproto.server.createSession", null,
            """{"identifier":"confbot@example.com","password":"abcd-efgh-ijkl-mnop"}""");
        var oldRefresh = session.GetProperty("refreshJwt").GetString()!;

        var first = await PostJsonAsync(http, "com.atproto.server.refreshSession", oldRefresh, null);
        var again = await PostJsonAsync(http, "com.atproto.server.refreshSession", oldRefresh, null);
        time.Advance(TimeSpan.FromHours(2) + TimeSpan.FromSeconds(1));
        using var late = await SendAsync(http, "com.atproto.server.refreshSession", oldRefresh, null);
        using var wrongKind = await SendAsync(http, "com.atproto.server.getSession", first.GetProperty("refreshJwt").GetString(), null, HttpMethod.Get);

        Assert.Equal(first.GetProperty("refreshJwt").GetString(), again.GetProperty("refreshJwt").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        Assert.Contains("ExpiredToken", await late.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("InvalidToken", await wrongKind.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plc_documents_and_well_known_did_are_served()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUrl };

        var did = await http.GetStringAsync("/.well-known/atproto-did");
        using var document = JsonDocument.Parse(await http.GetStringAsync($"/{server.DefaultAccount.Did}"));

        Assert.Equal(server.DefaultAccount.Did, did);
        Assert.Equal(server.PdsUrl.GetLeftPart(UriPartial.Authority), DidDocument.Parse(document.RootElement).PdsEndpoint);
    }

    [Fact]
    public async Task Faults_can_be_limited_to_one_method_and_are_one_shot()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        using var client = TestClients.Create(server);
        await client.EnsureSessionAsync();
        server.Faults.Enqueue(FaultKind.InternalErrorBeforeCommit, "com.atproto.repo.getRecord");

        await client.Server.GetSessionAsync();
        await Assert.ThrowsAsync<XrpcException>(() => client.Repo.GetRecordAsync(PostRecord.Collection, "3n2t7rsfrjctg"));
        Assert.Null(await client.Repo.GetRecordAsync(PostRecord.Collection, "3n2t7rsfrjctg"));

        Assert.Equal(0, server.Faults.PendingCount);
        Assert.Equal(FaultKind.InternalErrorBeforeCommit, Assert.Single(server.Faults.Applied).Kind);
        Assert.Equal(500, server.RequestsFor("com.atproto.repo.getRecord")[0].StatusCode);
    }

    [Fact]
    public async Task An_outage_fails_every_matching_request_in_turn_until_its_end_by_the_servers_clock()
    {
        var time = new ManualTimeProvider();
        await using var server = await FakeBlueskyServer.StartAsync(o => o.TimeProvider = time);
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        var session = await PostJsonAsync(http, "com.atproto.server.createSession", null, """{"identifier":"confbot.test","password":"abcd-efgh-ijkl-mnop"}""");
        var access = session.GetProperty("accessJwt").GetString();
        var end = time.GetUtcNow() + TimeSpan.FromMinutes(5);
        server.Faults.StartOutage(new Outage([FaultKind.RateLimited, FaultKind.ExpiredToken]) { Until = end, Methods = ["com.atproto.server.getSession"] });
        server.Faults.StartOutage(FaultKind.BadGateway, end, ["com.atproto.server.createSession"]);

        using var limited = await SendAsync(http, "com.atproto.server.getSession", access, null, HttpMethod.Get);
        using var expired = await SendAsync(http, "com.atproto.server.getSession", access, null, HttpMethod.Get);
        using var limitedAgain = await SendAsync(http, "com.atproto.server.getSession", access, null, HttpMethod.Get);
        using var login = await SendAsync(http, "com.atproto.server.createSession", null, """{"identifier":"confbot.test","password":"abcd-efgh-ijkl-mnop"}""");
        using var other = await SendAsync(http, "com.atproto.server.describeServer", null, null, HttpMethod.Get);
        time.Advance(TimeSpan.FromMinutes(2));
        using var expiredLater = await SendAsync(http, "com.atproto.server.getSession", access, null, HttpMethod.Get);
        using var limitedLater = await SendAsync(http, "com.atproto.server.getSession", access, null, HttpMethod.Get);
        time.Set(end);
        using var after = await SendAsync(http, "com.atproto.server.getSession", access, null, HttpMethod.Get);
        using var loginAfter = await SendAsync(http, "com.atproto.server.createSession", null, """{"identifier":"confbot.test","password":"abcd-efgh-ijkl-mnop"}""");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        // A rate limit that resets when the window ends: Retry-After counts down to it, RateLimit-Reset names it.
        Assert.Equal(TimeSpan.FromMinutes(5), limited.Headers.RetryAfter?.Delta);
        Assert.Equal(end.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), limited.Headers.GetValues("RateLimit-Reset").Single());
        Assert.Equal(HttpStatusCode.BadRequest, expired.StatusCode);
        Assert.Contains("ExpiredToken", await expired.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, limitedAgain.StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, login.StatusCode);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, expiredLater.StatusCode);
        Assert.Equal(TimeSpan.FromMinutes(3), limitedLater.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(HttpStatusCode.OK, loginAfter.StatusCode);
    }

    [Fact]
    public async Task Stopping_outages_ends_them_at_once()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        server.Faults.StartOutage(FaultKind.DropBeforeCommit);

        await Assert.ThrowsAsync<HttpRequestException>(() => SendAsync(http, "com.atproto.server.describeServer", null, null, HttpMethod.Get));
        await Assert.ThrowsAsync<HttpRequestException>(() => SendAsync(http, "com.atproto.server.describeServer", null, null, HttpMethod.Get));
        server.Faults.StopOutages();
        using var recovered = await SendAsync(http, "com.atproto.server.describeServer", null, null, HttpMethod.Get);

        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        Assert.Equal(2, server.Faults.Applied.Count(f => f.Kind == FaultKind.DropBeforeCommit));
    }

    private static async Task<JsonElement> PostJsonAsync(HttpClient http, string nsid, string? token, string? body)
    {
        using var response = await SendAsync(http, nsid, token, body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, string nsid, string? token, string? body, HttpMethod? method = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Post, $"/xrpc/{nsid}");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        return http.SendAsync(request);
    }
}
