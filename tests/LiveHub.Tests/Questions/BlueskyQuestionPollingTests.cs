using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using LiveHub.Bluesky;
using LiveHub.CrossPosting;
using LiveHub.Data;
using LiveHub.Questions;
using LiveHub.Testing.FakeBluesky;
using LiveHub.Tests.CrossPosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static LiveHub.Tests.CrossPosting.CrossPostTestSupport;

namespace LiveHub.Tests.Questions;

/// <summary>
/// Replies to a live session's Bluesky thread become pending questions: once each (across polls, restarts and
/// instances), never the hub's own posts, never blocked or removed ones; a 429 or an outage backs the poll off.
/// The background poll runs hourly here; each test makes a stream due and polls itself.
/// </summary>
public abstract class BlueskyQuestionPollingTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string AliceDid = "did:plc:alice000000000000000000";
    private const string BobDid = "did:plc:bob00000000000000000000";
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Questions:Enabled"] = "true",
        ["Questions:PollInterval"] = "01:00:00",
        ["Questions:MaxBackoff"] = "04:00:00",
    };

    private FakeBlueskyServer _pds = null!;
    private CrossPostingDatabase _database = null!;
    private CrossPostingHost _host = null!;

    public async Task InitializeAsync()
    {
        _pds = await FakeBlueskyServer.StartAsync();
        _database = await CrossPostingDatabase.CreateAsync(provider);
        _host = _database.Host(_pds, Settings);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _database.DisposeAsync();
        await _pds.DisposeAsync();
    }

    private async Task<(CrossPostScenario Live, string Root)> LiveThreadAsync()
    {
        var live = await ScenarioAsync(_host, _pds);
        await live.PostAsync("The panel has begun");
        await WaitUntilAsync(() => _host.WithDbAsync(db => db.Set<CrossPostThread>().AnyAsync(t => t.StreamId == live.StreamId && t.LastUri != null && t.RootUri != t.LastUri)).GetAwaiter().GetResult(),
            "the thread has two posts");
        var root = await _host.WithDbAsync(db => db.Set<CrossPostThread>().Where(t => t.StreamId == live.StreamId).Select(t => t.RootUri!).SingleAsync());
        return (live, root);
    }

    /// <summary>Makes the stream's next read due now and polls (the background poll may have taken the round: the result is the same).</summary>
    private async Task PollNowAsync(Guid streamId)
    {
        await _host.WithDbAsync(db => db.Set<QuestionPollState>().Where(p => p.StreamId == streamId)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.NextPollAtUtc, DateTime.UtcNow.AddMinutes(-1))));
        await _host.Services.GetRequiredService<BlueskyQuestionPoller>().PollOnceAsync(CancellationToken.None);
    }

    private Task<List<Question>> QuestionsAsync(Guid streamId) =>
        _host.WithDbAsync(db => db.Set<Question>().AsNoTracking().Where(q => q.StreamId == streamId).OrderBy(q => q.Text).ToListAsync());

    [Fact]
    public async Task Replies_by_others_become_pending_questions_once_with_safe_links_and_the_hubs_own_posts_and_hidden_replies_do_not()
    {
        var (live, root) = await LiveThreadAsync();
        var last = await _host.WithDbAsync(db => db.Set<CrossPostThread>().Where(t => t.StreamId == live.StreamId).Select(t => t.LastUri!).SingleAsync());
        var facets = new JsonArray(
            new JsonObject
            {
                ["index"] = new JsonObject { ["byteStart"] = 9, ["byteEnd"] = 21 },
                ["features"] = new JsonArray(new JsonObject { ["$type"] = "app.bsky.richtext.facet#link", ["uri"] = "https://example.org/report" }),
            },
            new JsonObject
            {
                ["index"] = new JsonObject { ["byteStart"] = 22, ["byteEnd"] = 27 },
                ["features"] = new JsonArray(new JsonObject { ["$type"] = "app.bsky.richtext.facet#link", ["uri"] = "javascript:alert(1)" }),
            });
        var alice = _pds.AddReply("alice.test", AliceDid, last, "Does the report cover rural areas?", facets: facets, imageAlts: ["map"]);
        _pds.AddReply("bob.test", BobDid, alice, "<b>Also</b> asking: what about towns?");
        _pds.AddReply(_pds.DefaultAccount.Handle, _pds.DefaultAccount.Did, alice, "The hub answering in the thread");
        var blocked = _pds.AddReply("troll.test", "did:plc:troll0000000000000000000", root, "blocked");
        _pds.Block("did:plc:troll0000000000000000000");
        var removed = _pds.AddReply("spam.test", "did:plc:spam00000000000000000000", root, "taken down");
        _pds.TakeDown(removed);
        var deleted = _pds.AddReply("bob.test", BobDid, root, "deleted before the poll");
        _pds.DeletePost(deleted);

        await _host.Services.GetRequiredService<BlueskyQuestionPoller>().PollOnceAsync(CancellationToken.None);
        await PollNowAsync(live.StreamId);
        await PollNowAsync(live.StreamId);

        var questions = await QuestionsAsync(live.StreamId);
        Assert.Equal(["<b>Also</b> asking: what about towns?", "Does the report cover rural areas?"], questions.Select(q => q.Text));
        Assert.All(questions, q => Assert.Equal(QuestionStatus.Pending, q.Status));
        Assert.All(questions, q => Assert.Equal(QuestionSource.Bluesky, q.Source));
        var fromAlice = questions.Single(q => q.AuthorDid == AliceDid);
        Assert.Equal(alice, fromAlice.BlueskyUri);
        Assert.Equal("alice.test", fromAlice.AuthorHandle);
        Assert.Equal(1, fromAlice.ImageCount);
        var link = Assert.Single(QuestionText.ReadLinks(fromAlice.LinksJson, fromAlice.Text));
        Assert.Equal(("report cover", "https://example.org/report"), (fromAlice.Text.Substring(link.Start, link.Length), link.Uri));
        Assert.DoesNotContain(questions, q => q.BlueskyUri == blocked || q.BlueskyUri == removed || q.BlueskyUri == deleted);
        Assert.True(_pds.CountRequests("app.bsky.feed.getPostThread") >= 2);

        // Approved, it shows with the handle linked to the profile; the HTML in Bob's reply stays text.
        var anonymous = _host.CreateClient();
        foreach (var q in questions)
        {
            (await live.Editor.PostAsync($"/api/questions/{q.Id}/approve", null)).EnsureSuccessStatusCode();
        }

        var list = await anonymous.GetFromJsonAsync<JsonElement>($"/api/streams/{live.StreamId}/questions");
        var shown = list.GetProperty("questions").EnumerateArray().Single(q => q.GetProperty("askerHandle").GetString() == "alice.test");
        Assert.Equal("https://bsky.app/profile/alice.test", shown.GetProperty("askerUrl").GetString());
        var page = await anonymous.GetStringAsync($"/live/{live.Slug}/sessions/{live.SessionId}");
        Assert.Contains("href=\"https://bsky.app/profile/alice.test\"", page, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;Also&lt;/b&gt; asking", page, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://example.org/report\" rel=\"nofollow ugc noopener\" target=\"_blank\">report cover</a>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("javascript:alert", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_restart_mid_session_neither_duplicates_nor_loses_replies()
    {
        var (live, root) = await LiveThreadAsync();
        _pds.AddReply("alice.test", AliceDid, root, "Before the restart");
        await PollNowAsync(live.StreamId);
        Assert.Single(await QuestionsAsync(live.StreamId));

        await _host.DisposeAsync();
        _pds.AddReply("bob.test", BobDid, root, "While LiveHub was down");
        _host = _database.Host(_pds, Settings);
        _pds.AddReply("alice.test", AliceDid, root, "After the restart");
        await PollNowAsync(live.StreamId);
        await PollNowAsync(live.StreamId);

        Assert.Equal(["After the restart", "Before the restart", "While LiveHub was down"], (await QuestionsAsync(live.StreamId)).Select(q => q.Text));
    }

    [Fact]
    public async Task Two_instances_polling_the_same_thread_store_each_reply_once()
    {
        var (live, root) = await LiveThreadAsync();
        for (var i = 0; i < 5; i++)
        {
            _pds.AddReply("alice.test", AliceDid, root, $"Question {i}");
        }

        await using var second = _database.Host(_pds, Settings);
        var pollers = new[] { _host, second }.Select(h => h.Services.GetRequiredService<BlueskyQuestionPoller>()).ToList();
        for (var round = 0; round < 3; round++)
        {
            await _host.WithDbAsync(db => db.Set<QuestionPollState>().Where(p => p.StreamId == live.StreamId)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.NextPollAtUtc, DateTime.UtcNow.AddMinutes(-1))));
            await Task.WhenAll(pollers.Select(p => p.PollOnceAsync(CancellationToken.None)));
        }

        Assert.Equal(5, (await QuestionsAsync(live.StreamId)).Count);
    }

    [Fact]
    public async Task A_429_backs_off_every_stream_until_the_limit_resets_and_an_outage_backs_off_doubling()
    {
        var (live, root) = await LiveThreadAsync();
        var other = await live.AddCoveredSessionAsync("Second panel");
        // The second stream needs a Bluesky thread of its own before it is polled.
        var editor = live.Editor;
        (await editor.PostAsJsonAsync($"/api/streams/{other}/posts", new { kind = "update", body = "Second panel begins" })).EnsureSuccessStatusCode();
        await WaitUntilAsync(() => _host.WithDbAsync(db => db.Set<CrossPostThread>().AnyAsync(t => t.StreamId == other && t.RootUri != null)).GetAwaiter().GetResult(), "the second thread exists");
        _pds.AddReply("alice.test", AliceDid, root, "Held back by the limit");

        _pds.Faults.StartOutage(new Outage([FaultKind.RateLimited]) { Methods = ["app.bsky.feed.getPostThread"], RetryAfter = TimeSpan.FromHours(3) });
        var before = DateTime.UtcNow;
        await _host.WithDbAsync(db => db.Set<QuestionPollState>().ExecuteUpdateAsync(s => s.SetProperty(p => p.NextPollAtUtc, DateTime.UtcNow.AddMinutes(-1))));
        await _host.Services.GetRequiredService<BlueskyQuestionPoller>().PollOnceAsync(CancellationToken.None);

        var states = await _host.WithDbAsync(db => db.Set<QuestionPollState>().AsNoTracking().Where(p => p.StreamId == live.StreamId || p.StreamId == other).ToListAsync());
        Assert.Equal(2, states.Count);
        Assert.All(states, s => Assert.True(s.NextPollAtUtc >= before.AddHours(3).AddSeconds(-5), $"next read {s.NextPollAtUtc:O}, limit resets at {before.AddHours(3):O}"));
        Assert.Contains(_pds.RequestsFor("app.bsky.feed.getPostThread"), r => r.StatusCode == 429);

        // Nothing is due: polling again sends nothing.
        var sent = _pds.CountRequests("app.bsky.feed.getPostThread");
        await _host.Services.GetRequiredService<BlueskyQuestionPoller>().PollOnceAsync(CancellationToken.None);
        Assert.Equal(sent, _pds.CountRequests("app.bsky.feed.getPostThread"));
        Assert.Empty(await QuestionsAsync(live.StreamId));

        // An outage: each failure waits twice as long as the last (1 h interval: 2 h, then 4 h, the cap).
        _pds.Faults.StopOutages();
        _pds.Faults.StartOutage(FaultKind.BadGateway, methods: ["app.bsky.feed.getPostThread"]);
        var failures = new List<TimeSpan>();
        for (var i = 0; i < 2; i++)
        {
            var at = DateTime.UtcNow;
            await PollNowAsync(live.StreamId);
            var state = await _host.WithDbAsync(db => db.Set<QuestionPollState>().AsNoTracking().SingleAsync(p => p.StreamId == live.StreamId));
            failures.Add(state.NextPollAtUtc - at);
            Assert.Contains("502", state.LastError, StringComparison.Ordinal);
        }

        Assert.InRange(failures[1].TotalHours, 3.9, 4.1);
        Assert.InRange(failures[0].TotalHours, 1.9, 4.1);

        // Back to normal: the reply arrives, the failure count is reset.
        _pds.Faults.StopOutages();
        await PollNowAsync(live.StreamId);
        Assert.Equal("Held back by the limit", Assert.Single(await QuestionsAsync(live.StreamId)).Text);
        Assert.Equal(0, await _host.WithDbAsync(db => db.Set<QuestionPollState>().Where(p => p.StreamId == live.StreamId).Select(p => p.ConsecutiveFailures).SingleAsync()));
    }

    [Fact]
    public void Backoff_doubles_to_the_cap_and_never_undercuts_the_servers_wait()
    {
        var settings = new QuestionsOptions { PollInterval = TimeSpan.FromSeconds(30), MaxBackoff = TimeSpan.FromMinutes(15) };
        var outage = new XrpcException("app.bsky.feed.getPostThread", 502, "BadGateway", "down", isRetryable: true, isAmbiguous: false);
        Assert.Equal(TimeSpan.FromMinutes(1), BlueskyQuestionPoller.Backoff(settings, 1, outage));
        Assert.Equal(TimeSpan.FromMinutes(2), BlueskyQuestionPoller.Backoff(settings, 2, outage));
        Assert.Equal(TimeSpan.FromMinutes(15), BlueskyQuestionPoller.Backoff(settings, 10, outage));
        var limited = new XrpcException("app.bsky.feed.getPostThread", 429, "RateLimitExceeded", "slow down", isRetryable: true, isAmbiguous: false, retryAfter: TimeSpan.FromMinutes(40));
        Assert.Equal(TimeSpan.FromMinutes(40), BlueskyQuestionPoller.Backoff(settings, 1, limited));
    }
}

public sealed class BlueskyQuestionPollingTestsOnSqlite() : BlueskyQuestionPollingTests(DatabaseProvider.Sqlite);

public sealed class BlueskyQuestionPollingTestsOnPostgres() : BlueskyQuestionPollingTests(DatabaseProvider.Postgres);
