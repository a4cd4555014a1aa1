using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Live;
using LiveHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LiveHub.Tests.Live;

/// <summary>
/// What a join costs does not grow with the stream (issue 17): posts keep their rendered HTML, and a fresh join is
/// answered from one shared snapshot while the stream is unchanged, the database deciding what "unchanged" means.
/// </summary>
public abstract class LiveJoinSnapshotTests(LiveHubApp app)
{
    [Fact]
    public async Task A_post_keeps_its_rendered_html_and_an_edit_renders_it_again()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var response = await live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/posts",
            new { kind = "update", format = "markdown", body = "Read **this** first", bodyCy = "Darllenwch **hwn** yn gyntaf" });
        response.EnsureSuccessStatusCode();
        var postId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var stored = await StoredAsync(postId);
        Assert.Equal("<p>Read <strong>this</strong> first</p>", stored.Html);
        Assert.Equal("<p>Darllenwch <strong>hwn</strong> yn gyntaf</p>", stored.HtmlCy);

        (await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/posts/{postId}",
            new { kind = "update", format = "markdown", body = "Read *that* instead" })).EnsureSuccessStatusCode();

        stored = await StoredAsync(postId);
        Assert.Equal("<p>Read <em>that</em> instead</p>", stored.Html);
        Assert.Null(stored.HtmlCy);
    }

    [Fact]
    public async Task Reads_send_the_stored_html_and_render_older_rows_that_have_none()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var kept = (await live.PostAsync("Kept as written")).GetProperty("id").GetGuid();
        var older = (await live.PostAsync("From before HTML was stored <b>")).GetProperty("id").GetGuid();
        await app.WithDbAsync(async db =>
        {
            // Straight to the rows, as a migrated database has them: nothing here renders.
            await db.LivePosts.Where(p => p.Id == kept).ExecuteUpdateAsync(s => s.SetProperty(p => p.Html, "<p>as stored</p>"));
            await db.LivePosts.Where(p => p.Id == older).ExecuteUpdateAsync(s => s.SetProperty(p => p.Html, (string?)null));
        });

        await using var client = await LiveClient.ConnectAsync(app);
        var posts = (await client.JoinAsync(live.StreamId.ToString(), 0)).GetProperty("posts").EnumerateArray().ToDictionary(p => p.GetProperty("id").GetGuid());

        Assert.Equal("<p>as stored</p>", posts[kept].GetProperty("html").GetString());
        Assert.Equal(PostRenderer.PlainTextToHtml("From before HTML was stored <b>"), posts[older].GetProperty("html").GetString());
        Assert.Equal("From before HTML was stored &lt;b&gt;", posts[older].GetProperty("html").GetString());
    }

    [Fact]
    public async Task Clients_joining_at_once_share_one_snapshot_and_a_new_post_makes_the_next()
    {
        var cache = app.Services.GetRequiredService<LiveSnapshotCache>();
        var live = await LiveTestSupport.LiveSessionAsync(app);
        for (var i = 1; i <= 3; i++)
        {
            await live.PostAsync($"Before the crowd, #{i}");
        }

        var clients = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => LiveClient.ConnectAsync(app)));
        try
        {
            var builds = cache.Builds;
            var answers = await Task.WhenAll(clients.Select(c => c.JoinAsync(live.StreamId.ToString(), 0)));

            Assert.Equal(1, cache.Builds - builds);
            Assert.All(answers, a => Assert.Equal(answers[0].GetRawText(), a.GetRawText()));
            Assert.Equal(4, answers[0].GetProperty("posts").GetArrayLength());

            await live.PostAsync("After the crowd");
            await using var late = await LiveClient.ConnectAsync(app);
            var after = await late.JoinAsync(live.StreamId.ToString(), 0);

            Assert.Equal(2, cache.Builds - builds);
            Assert.Equal("After the crowd", after.GetProperty("posts").EnumerateArray().Last().GetProperty("body").GetString());
            Assert.Equal(answers[0].GetProperty("through").GetInt64() + 1, after.GetProperty("through").GetInt64());
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_renamed_session_is_not_answered_from_the_snapshot_taken_before()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        await using var first = await LiveClient.ConnectAsync(app);
        Assert.Equal("Panel", (await first.JoinAsync(live.StreamId.ToString(), 0)).GetProperty("stream").GetProperty("title").GetString());

        (await live.Editor.PutAsJsonAsync($"/api/events/{live.Slug}/sessions/{live.SessionId}",
            new { title = "Panel (moved to the main hall)", startsAt = "2030-06-01T14:00", endsAt = "2030-06-01T15:00" })).EnsureSuccessStatusCode();

        await using var second = await LiveClient.ConnectAsync(app);
        Assert.Equal("Panel (moved to the main hall)", (await second.JoinAsync(live.StreamId.ToString(), 0)).GetProperty("stream").GetProperty("title").GetString());
    }

    private async Task<LivePost> StoredAsync(Guid postId)
    {
        LivePost? post = null;
        await app.WithDbAsync(async db => post = await db.LivePosts.AsNoTracking().SingleAsync(p => p.Id == postId));
        return post!;
    }
}

public sealed class LiveJoinSnapshotOnSqlite(SqliteApp app) : LiveJoinSnapshotTests(app), IClassFixture<SqliteApp>;

public sealed class LiveJoinSnapshotOnPostgres(PostgresApp app) : LiveJoinSnapshotTests(app), IClassFixture<PostgresApp>;
