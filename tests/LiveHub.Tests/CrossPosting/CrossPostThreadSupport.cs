using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.CrossPosting;
using LiveHub.Live;
using LiveHub.Testing.FakeBluesky;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Tests.CrossPosting;

/// <summary>Reading a stream's Bluesky thread back the way followers see it, and what the live page says it should be.</summary>
public static class CrossPostThreadSupport
{
    public static async Task<JsonElement> EditAsync(this CrossPostScenario live, JsonElement post, string body)
    {
        var response = await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/posts/{post.GetProperty("id").GetGuid()}", new { kind = "update", body });
        var content = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, content);
        return JsonDocument.Parse(content).RootElement.Clone();
    }

    public static async Task DeleteAsync(this CrossPostScenario live, JsonElement post) =>
        (await live.Editor.DeleteAsync($"/api/streams/{live.StreamId}/posts/{post.GetProperty("id").GetGuid()}")).EnsureSuccessStatusCode();

    public static async Task SetEditModeAsync(this CrossPostScenario live, CrossPostEditMode mode)
    {
        var response = await live.Admin.PutAsJsonAsync($"/api/crosspost/events/{live.Slug}", new { enabled = true, editMode = mode.ToString() });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Waits until the stream's outbox is drained: nothing queued or being sent, no re-threaded record left to delete,
    /// and no drain holding the stream (the last drain re-threads what needs it before it lets go).
    /// </summary>
    public static async Task WaitForThreadSettledAsync(this CrossPostingHost host, Guid streamId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? CrossPostTestSupport.Patience);
        var settledSince = (DateTime?)null;
        while (true)
        {
            var busy = await host.WithDbAsync(async db =>
                await db.Set<CrossPostItem>().AnyAsync(i => i.StreamId == streamId && (i.State == CrossPostState.Queued || i.State == CrossPostState.Sending
                    || (i.State == CrossPostState.Replaced && i.RemovedAtUtc == null)))
                || await db.Set<CrossPostThread>().AnyAsync(t => t.StreamId == streamId && t.LeaseOwner != null));
            if (!busy)
            {
                // Twice in a row, a moment apart: a drain kicked by the last commit may not have taken the lease yet.
                settledSince ??= DateTime.UtcNow;
                if (DateTime.UtcNow - settledSince > TimeSpan.FromMilliseconds(60))
                {
                    return;
                }
            }
            else
            {
                settledSince = null;
            }

            if (DateTime.UtcNow > deadline)
            {
                var rows = await host.WithDbAsync(db => db.Set<CrossPostItem>().AsNoTracking().Where(i => i.StreamId == streamId)
                    .OrderBy(i => i.ChangeSequence).ThenBy(i => i.Part).ToListAsync());
                Assert.Fail("The outbox did not drain:\n" + string.Join("\n", rows.Select(r => $"  #{r.PostSequence} c{r.ChangeSequence}.{r.Part} {r.Action} {r.State} {r.LastError}")));
            }

            await Task.Delay(15);
        }
    }

    /// <summary>The thread from the root LiveHub links to, walked down as an AppView does (fails if it forks).</summary>
    public static async Task<IReadOnlyList<StoredRecord>> ThreadAsync(this CrossPostingHost host, FakeBlueskyServer pds, Guid streamId)
    {
        var root = await host.WithDbAsync(db => db.Set<CrossPostThread>().Where(t => t.StreamId == streamId).Select(t => t.RootUri).FirstOrDefaultAsync());
        if (root is null)
        {
            return [];
        }

        var chain = pds.WalkThread(root);
        Assert.Null(chain[0].ReplyParentUri);
        return chain;
    }

    /// <summary>What the thread must hold: each update still on the live page, in live order, as the cross-poster words it.</summary>
    public static async Task<List<(Guid PostId, string Text)>> ExpectedThreadAsync(this CrossPostingHost host, Guid streamId) =>
        await host.WithDbAsync(async db =>
        {
            var posts = await db.LivePosts.AsNoTracking().Where(p => p.StreamId == streamId && p.DeletedAtUtc == null).OrderBy(p => p.Sequence).ToListAsync();
            return posts.SelectMany(p => CrossPostText.Compose(p, null, null, correction: false).Select(text => (p.Id, text))).ToList();
        });

    /// <summary>The record a post quotes (app.bsky.embed.record, or the record of recordWithMedia).</summary>
    public static string? QuotedUri(this StoredRecord record)
    {
        if (!record.Value.TryGetProperty("embed", out var embed))
        {
            return null;
        }

        return embed.GetProperty("$type").GetString() switch
        {
            "app.bsky.embed.record" => embed.GetProperty("record").GetProperty("uri").GetString(),
            "app.bsky.embed.recordWithMedia" => embed.GetProperty("record").GetProperty("record").GetProperty("uri").GetString(),
            _ => null,
        };
    }
}
