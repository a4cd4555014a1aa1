using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Data;
using LiveHub.Live;
using LiveHub.Questions;
using LiveHub.Tests.Infrastructure;
using LiveHub.Tests.Live;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Tests.Questions;

public class QuestionsApp : SqliteApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Questions:Enabled"] = "true",
        ["Questions:WebQuestionsPerMinute"] = "10000",
    };
}

public class QuestionsPostgresApp : PostgresApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Questions:Enabled"] = "true",
        ["Questions:WebQuestionsPerMinute"] = "10000",
    };
}

/// <summary>Questions typed on the live page, moderated by staff, shown (and pushed) only once approved.</summary>
public abstract class QuestionApiTests(LiveHubApp app)
{
    private static async Task<HttpResponseMessage> AskAsync(HttpClient client, Guid streamId, string text, string? website = null) =>
        await client.PostAsJsonAsync($"/api/streams/{streamId}/questions", new { text, website });

    private async Task<Guid> PendingIdAsync(Guid streamId, string text) =>
        await WithDbAsync(db => db.Set<Question>().Where(q => q.StreamId == streamId && q.Text == text).Select(q => q.Id).SingleAsync());

    private async Task<T> WithDbAsync<T>(Func<LiveHubDbContext, Task<T>> action)
    {
        T result = default!;
        await app.WithDbAsync(async db => result = await action(db));
        return result;
    }

    private static async Task<JsonElement> PublicAsync(HttpClient client, Guid streamId) =>
        await client.GetFromJsonAsync<JsonElement>($"/api/streams/{streamId}/questions");

    [Fact]
    public async Task A_web_question_is_hidden_until_approved_then_shown_as_an_attendee_and_pushed_to_live_clients()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var anonymous = app.AnonymousClient();
        var asked = await AskAsync(anonymous, live.StreamId, "  How will the findings reach local councils?  ");
        Assert.Equal(HttpStatusCode.Accepted, asked.StatusCode);
        Assert.Equal("pending", (await asked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        Assert.Empty((await PublicAsync(anonymous, live.StreamId)).GetProperty("questions").EnumerateArray());
        var page = await anonymous.GetStringAsync($"/live/{live.Slug}/sessions/{live.SessionId}");
        Assert.DoesNotContain("local councils", page, StringComparison.Ordinal);

        await using var listener = await LiveClient.ConnectAsync(app);
        await listener.JoinAsync(live.StreamId.ToString(), 0);

        var id = await PendingIdAsync(live.StreamId, "How will the findings reach local councils?");
        var approved = await live.Editor.PostAsync($"/api/questions/{id}/approve", null);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);

        var pushed = await listener.NextAsync(LiveCoverageHub.QuestionsMethod);
        var question = Assert.Single(pushed.GetProperty("questions").EnumerateArray());
        Assert.Equal("How will the findings reach local councils?", question.GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, question.GetProperty("askerHandle").ValueKind);

        var list = await PublicAsync(anonymous, live.StreamId);
        Assert.Equal(pushed.GetProperty("revision").GetInt64(), list.GetProperty("revision").GetInt64());
        page = await anonymous.GetStringAsync($"/live/{live.Slug}/sessions/{live.SessionId}");
        Assert.Contains("local councils", page, StringComparison.Ordinal);
        Assert.Contains("an attendee", page, StringComparison.Ordinal);
        var board = await anonymous.GetStringAsync($"/live/{live.Slug}/sessions/{live.SessionId}/questions");
        Assert.Contains("local councils", board, StringComparison.Ordinal);

        // Rejecting takes it off the public list, and the push says so.
        (await live.Editor.PostAsync($"/api/questions/{id}/reject", null)).EnsureSuccessStatusCode();
        var after = await listener.NextAsync(LiveCoverageHub.QuestionsMethod);
        Assert.Empty(after.GetProperty("questions").EnumerateArray());
        Assert.True(after.GetProperty("revision").GetInt64() >= pushed.GetProperty("revision").GetInt64());
        Assert.Empty((await PublicAsync(anonymous, live.StreamId)).GetProperty("questions").EnumerateArray());
    }

    [Fact]
    public async Task Staff_mark_answered_and_merge_duplicates()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var anonymous = app.AnonymousClient();
        await AskAsync(anonymous, live.StreamId, "Is the data open?");
        await AskAsync(anonymous, live.StreamId, "Will the dataset be published openly?");
        var first = await PendingIdAsync(live.StreamId, "Is the data open?");
        var second = await PendingIdAsync(live.StreamId, "Will the dataset be published openly?");

        // Only an approved question can be answered.
        Assert.Equal(HttpStatusCode.Conflict, (await live.Editor.PostAsJsonAsync($"/api/questions/{first}/answered", new { })).StatusCode);
        (await live.Editor.PostAsync($"/api/questions/{first}/approve", null)).EnsureSuccessStatusCode();
        var merged = await live.Editor.PostAsJsonAsync($"/api/questions/{second}/merge", new { into = first });
        Assert.Equal(HttpStatusCode.OK, merged.StatusCode);
        Assert.Equal("merged", (await merged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        (await live.Editor.PostAsJsonAsync($"/api/questions/{first}/answered", new { answered = true })).EnsureSuccessStatusCode();

        var shown = Assert.Single((await PublicAsync(anonymous, live.StreamId)).GetProperty("questions").EnumerateArray());
        Assert.Equal(first, shown.GetProperty("id").GetGuid());
        Assert.True(shown.GetProperty("answered").GetBoolean());
        Assert.Equal(1, shown.GetProperty("alsoAsked").GetInt32());

        await (await live.Editor.PostAsJsonAsync($"/api/questions/{first}/merge", new { })).AssertProblemAsync(HttpStatusCode.BadRequest, "into");
        await (await live.Editor.PostAsJsonAsync($"/api/questions/{first}/merge", new { into = first })).AssertProblemAsync(HttpStatusCode.Conflict);
        await (await live.Editor.PostAsJsonAsync($"/api/questions/{first}/merge", new { into = Guid.NewGuid() })).AssertProblemAsync(HttpStatusCode.Conflict);

        var staffList = await live.Editor.GetFromJsonAsync<JsonElement>($"/api/questions?streamId={live.StreamId}");
        Assert.Equal(2, staffList.GetArrayLength());
        var pendingOnly = await live.Editor.GetFromJsonAsync<JsonElement>($"/api/questions?streamId={live.StreamId}&status=pending");
        Assert.Equal(0, pendingOnly.GetArrayLength());
    }

    [Theory]
    [InlineData("", "is required")]
    [InlineData("<script>alert(1)</script> why?", "HTML")]
    [InlineData("<b>bold</b> question", "HTML")]
    [InlineData("What about &lt;tags&gt;?", "HTML")]
    [InlineData("Three links https://a.example https://b.example https://c.example", "links")]
    [InlineData("A bell \u0007 in the text", "control")]
    public async Task Bad_questions_are_refused_with_the_field_and_reason_and_nothing_is_stored(string text, string reason)
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var problem = await (await AskAsync(app.AnonymousClient(), live.StreamId, text)).AssertProblemAsync(HttpStatusCode.BadRequest, "text");
        Assert.Contains(reason, problem.GetProperty("errors").GetProperty("text")[0].GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, await WithDbAsync(db => db.Set<Question>().CountAsync(q => q.StreamId == live.StreamId)));
    }

    [Fact]
    public async Task Oversize_questions_are_refused_and_the_limit_itself_is_accepted()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var anonymous = app.AnonymousClient();
        await (await AskAsync(anonymous, live.StreamId, new string('q', QuestionLimits.WebText + 1))).AssertProblemAsync(HttpStatusCode.BadRequest, "text");
        await (await AskAsync(anonymous, live.StreamId, new string('x', 100_000))).AssertProblemAsync(HttpStatusCode.BadRequest, "text");
        Assert.Equal(HttpStatusCode.Accepted, (await AskAsync(anonymous, live.StreamId, new string('q', QuestionLimits.WebText))).StatusCode);
        Assert.Equal(1, await WithDbAsync(db => db.Set<Question>().CountAsync(q => q.StreamId == live.StreamId)));
    }

    [Fact]
    public async Task A_filled_honeypot_is_thanked_like_anyone_but_nothing_is_kept_and_repeats_are_kept_once()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var anonymous = app.AnonymousClient();
        var bot = await AskAsync(anonymous, live.StreamId, "Buy cheap watches", website: "https://spam.example");
        Assert.Equal(HttpStatusCode.Accepted, bot.StatusCode);
        Assert.Equal(0, await WithDbAsync(db => db.Set<Question>().CountAsync(q => q.StreamId == live.StreamId)));

        Assert.Equal(HttpStatusCode.Accepted, (await AskAsync(anonymous, live.StreamId, "Who funds this?")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await AskAsync(anonymous, live.StreamId, "who funds this")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await AskAsync(anonymous, live.StreamId, "WHO FUNDS THIS ??")).StatusCode);
        Assert.Equal(1, await WithDbAsync(db => db.Set<Question>().CountAsync(q => q.StreamId == live.StreamId)));
    }

    [Fact]
    public async Task Questions_are_taken_only_while_coverage_is_live_and_only_for_public_streams()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app, start: false);
        var anonymous = app.AnonymousClient();
        await (await AskAsync(anonymous, live.StreamId, "Too early?")).AssertProblemAsync(HttpStatusCode.Conflict);
        (await live.Editor.PostAsync($"/api/events/{live.Slug}/sessions/{live.SessionId}/coverage/start", null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Accepted, (await AskAsync(anonymous, live.StreamId, "Now?")).StatusCode);
        (await live.Editor.PostAsync($"/api/events/{live.Slug}/sessions/{live.SessionId}/coverage/end", null)).EnsureSuccessStatusCode();
        await (await AskAsync(anonymous, live.StreamId, "Too late?")).AssertProblemAsync(HttpStatusCode.Conflict);
        await (await AskAsync(anonymous, Guid.NewGuid(), "Nowhere?")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/api/streams/{Guid.NewGuid()}/questions")).StatusCode);
    }

    [Fact]
    public async Task Moderation_needs_an_editor()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var anonymous = app.AnonymousClient();
        await AskAsync(anonymous, live.StreamId, "Can I approve myself?");
        var id = await PendingIdAsync(live.StreamId, "Can I approve myself?");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync($"/api/questions/{id}/approve", null)).StatusCode);
        var nobody = await app.BearerClientAsync(role: null);
        Assert.Equal(HttpStatusCode.Forbidden, (await nobody.PostAsync($"/api/questions/{id}/approve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/questions")).StatusCode);
        Assert.Equal(QuestionStatus.Pending, await WithDbAsync(db => db.Set<Question>().Where(q => q.Id == id).Select(q => q.Status).SingleAsync()));
    }
}

public sealed class QuestionApiTestsOnSqlite(QuestionsApp app) : QuestionApiTests(app), IClassFixture<QuestionsApp>;

public sealed class QuestionApiTestsOnPostgres(QuestionsPostgresApp app) : QuestionApiTests(app), IClassFixture<QuestionsPostgresApp>
{
    /// <summary>Two instances share one database: a question approved on one reaches the live pages connected to the other.</summary>
    [Fact]
    public async Task An_approval_on_one_instance_is_pushed_to_clients_of_another()
    {
        await using var second = new SecondInstance(app.ConnectionString);
        await second.InitializeAsync();
        var live = await LiveTestSupport.LiveSessionAsync(app);
        await using var client = await LiveClient.ConnectAsync(second);
        await client.JoinAsync(live.StreamId.ToString(), 0);

        (await app.AnonymousClient().PostAsJsonAsync($"/api/streams/{live.StreamId}/questions", new { text = "Asked on instance one" })).EnsureSuccessStatusCode();
        Guid id = default;
        await app.WithDbAsync(async db => id = await db.Set<Question>().Where(q => q.StreamId == live.StreamId).Select(q => q.Id).SingleAsync());
        (await live.Editor.PostAsync($"/api/questions/{id}/approve", null)).EnsureSuccessStatusCode();

        var pushed = await client.NextAsync(LiveCoverageHub.QuestionsMethod, TimeSpan.FromSeconds(15));
        Assert.Equal("Asked on instance one", Assert.Single(pushed.GetProperty("questions").EnumerateArray()).GetProperty("text").GetString());
    }

    private sealed class SecondInstance(string connectionString) : PostgresApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = connectionString,
            ["Questions:Enabled"] = "true",
        };

        protected override bool OwnsDatabase => false;
    }
}

public class QuestionFloodApp : SqliteApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Questions:Enabled"] = "true",
        ["Questions:WebQuestionsPerMinute"] = "4",
        ["Questions:MaxPendingPerStream"] = "2",
    };
}

/// <summary>Floods: per-address rate limit, and a cap on what waits for moderation.</summary>
public sealed class QuestionFloodTests(QuestionFloodApp app) : IClassFixture<QuestionFloodApp>
{
    [Fact]
    public async Task A_flood_from_one_address_is_refused_and_the_queue_has_a_ceiling()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var anonymous = app.AnonymousClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            statuses.Add((await anonymous.PostAsJsonAsync($"/api/streams/{live.StreamId}/questions", new { text = $"Flood number {i} {Guid.NewGuid():N}" })).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable], statuses[..4]);
        Assert.All(statuses[4..], s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        int stored = 0;
        await app.WithDbAsync(async db => stored = await db.Set<Question>().CountAsync(q => q.StreamId == live.StreamId));
        Assert.Equal(2, stored);
    }
}

/// <summary>Off by default: no panel on the live page, and the API says so.</summary>
public sealed class QuestionsSwitchedOffTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Without_the_switch_there_is_no_panel_and_questions_are_refused()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var anonymous = app.AnonymousClient();
        var page = await anonymous.GetStringAsync($"/live/{live.Slug}/sessions/{live.SessionId}");
        Assert.DoesNotContain("live-questions", page, StringComparison.Ordinal);
        var refused = await anonymous.PostAsJsonAsync($"/api/streams/{live.StreamId}/questions", new { text = "Anyone there?" });
        await refused.AssertProblemAsync(HttpStatusCode.NotFound);
        var list = await anonymous.GetFromJsonAsync<JsonElement>($"/api/streams/{live.StreamId}/questions");
        Assert.False(list.GetProperty("open").GetBoolean());
    }
}
