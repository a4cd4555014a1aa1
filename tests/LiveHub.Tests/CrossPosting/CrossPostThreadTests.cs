using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.CrossPosting;
using LiveHub.Data;
using LiveHub.Testing.FakeBluesky;
using Microsoft.EntityFrameworkCore;
using static LiveHub.Tests.CrossPosting.CrossPostTestSupport;

namespace LiveHub.Tests.CrossPosting;

/// <summary>
/// The Bluesky thread as followers read it (walked down from the root, as an AppView builds it) stays one chain in live
/// order whatever staff do: the two reported repros, corrections that quote, images that survive re-threading, and the
/// console telling the truth about deleted, split and waiting updates.
/// </summary>
public abstract class CrossPostThreadTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Marker = "Live coverage of Panel on live posting has started.";

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
    public async Task Repro_1_deleting_an_update_in_the_middle_keeps_the_later_updates_on_the_thread()
    {
        var live = await ScenarioAsync(_host, _pds);
        await live.PostAsync("A: doors open");
        var b = await live.PostAsync("B: wrong room announced");
        await live.PostAsync("C: first speaker on stage");
        await live.PostAsync("D: questions from the floor");
        await _host.WaitForThreadSettledAsync(live.StreamId);

        await live.DeleteAsync(b);
        await _host.WaitForThreadSettledAsync(live.StreamId);

        var thread = await _host.ThreadAsync(_pds, live.StreamId);
        Assert.Equal([Marker, "A: doors open", "C: first speaker on stage", "D: questions from the floor"], thread.Select(r => r.Text));
        Assert.DoesNotContain(_pds.Posts(), r => r.Text!.Contains("wrong room", StringComparison.Ordinal));
        // Nothing else of the stream is left on the account: the replaced originals of C and D are gone.
        Assert.Equal(thread.Select(r => r.Uri).Order(), _pds.Posts().Select(r => r.Uri).Order());

        // The thread goes on from its (new) last record.
        await live.PostAsync("E: after the deletion");
        await _host.WaitForThreadSettledAsync(live.StreamId);
        Assert.Equal("E: after the deletion", (await _host.ThreadAsync(_pds, live.StreamId))[^1].Text);
    }

    [Fact]
    public async Task Repro_2_delete_and_repost_edits_keep_the_order_and_every_update_reachable()
    {
        var live = await ScenarioAsync(_host, _pds, editMode: CrossPostEditMode.DeleteAndRepost);
        await live.PostAsync("Q1");
        var q2 = await live.PostAsync("Q2 with a typo");
        var q3 = await live.PostAsync("Q3 with a typo");
        await _host.WaitForThreadSettledAsync(live.StreamId);

        await live.EditAsync(q2, "Q2 fixed");
        await _host.WaitForThreadSettledAsync(live.StreamId);
        Assert.Equal([Marker, "Q1", "Q2 fixed", "Q3 with a typo"], (await _host.ThreadAsync(_pds, live.StreamId)).Select(r => r.Text));

        await live.EditAsync(q3, "Q3 fixed");
        await _host.WaitForThreadSettledAsync(live.StreamId);
        var thread = await _host.ThreadAsync(_pds, live.StreamId);
        Assert.Equal([Marker, "Q1", "Q2 fixed", "Q3 fixed"], thread.Select(r => r.Text));
        Assert.DoesNotContain(_pds.Posts(), r => r.Text!.Contains("typo", StringComparison.Ordinal));
        Assert.Equal(thread.Count, _pds.Posts().Count);

        // A re-posted copy keeps the original's createdAt, so it stays where it was in followers' timelines.
        var q1 = thread[1].Value.GetProperty("createdAt").GetString();
        Assert.True(string.CompareOrdinal(q1, thread[3].Value.GetProperty("createdAt").GetString()) <= 0);
    }

    [Fact]
    public async Task A_correction_quotes_the_update_it_corrects_and_follows_it_when_that_is_re_threaded()
    {
        var live = await ScenarioAsync(_host, _pds);
        var first = await live.PostAsync("First update");
        var keynote = await live.PostAsync("The keynote starts at 10:00");
        await live.EditAsync(keynote, "The keynote starts at 10:30");
        await _host.WaitForThreadSettledAsync(live.StreamId);

        var thread = await _host.ThreadAsync(_pds, live.StreamId);
        Assert.Equal([Marker, "First update", "The keynote starts at 10:00", "Correction: The keynote starts at 10:30"], thread.Select(r => r.Text));
        Assert.Equal(thread[2].Uri, thread[3].QuotedUri());

        // Deleting an earlier update re-threads both; the correction's copy quotes the keynote's copy.
        await live.DeleteAsync(first);
        await _host.WaitForThreadSettledAsync(live.StreamId);
        thread = await _host.ThreadAsync(_pds, live.StreamId);
        Assert.Equal([Marker, "The keynote starts at 10:00", "Correction: The keynote starts at 10:30"], thread.Select(r => r.Text));
        Assert.Equal(thread[1].Uri, thread[2].QuotedUri());
        Assert.NotNull(_pds.GetRecord(_pds.DefaultAccount.Did, FakeBlueskyServer.PostCollection, thread[2].QuotedUri()!.Split('/')[^1]));
    }

    [Fact]
    public async Task A_re_threaded_update_keeps_its_image_and_a_correction_of_it_quotes_it_with_the_image()
    {
        var live = await ScenarioAsync(_host, _pds);
        var first = await live.PostAsync("Before the photo");
        var imageId = await UploadAsync(live);
        var photo = await live.PostAsync("", extra: new { kind = "update", body = "The stage", imageIds = new[] { imageId } });
        await live.EditAsync(photo, "The stage in Hall A");
        await _host.WaitForThreadSettledAsync(live.StreamId);

        var correction = (await _host.ThreadAsync(_pds, live.StreamId))[^1];
        var embed = correction.Value.GetProperty("embed");
        Assert.Equal("app.bsky.embed.recordWithMedia", embed.GetProperty("$type").GetString());
        Assert.Equal("app.bsky.embed.images", embed.GetProperty("media").GetProperty("$type").GetString());

        // The reference PDS deletes a blob with the last record using it: the copy must be written before the original goes.
        await live.DeleteAsync(first);
        await _host.WaitForThreadSettledAsync(live.StreamId);
        var thread = await _host.ThreadAsync(_pds, live.StreamId);
        Assert.Equal([Marker, "The stage", "Correction: The stage in Hall A"], thread.Select(r => r.Text));
        Assert.Equal("app.bsky.embed.images", thread[1].Value.GetProperty("embed").GetProperty("$type").GetString());
        var blob = thread[1].BlobCids.Single();
        Assert.Contains(_pds.GetBlobs(), b => b.Cid == blob);
        Assert.Equal(thread[1].Uri, thread[2].QuotedUri());
    }

    [Fact]
    public async Task The_console_says_deleted_links_split_parts_to_the_first_and_says_why_a_post_waits()
    {
        var live = await ScenarioAsync(_host, _pds);
        var gone = await live.PostAsync("This one will be deleted");
        var longText = string.Join(" ", Enumerable.Range(1, 70).Select(i => $"word{i}")) + ".";
        var split = await live.PostAsync(longText);
        await _host.WaitForThreadSettledAsync(live.StreamId);
        await live.DeleteAsync(gone);
        await _host.WaitForThreadSettledAsync(live.StreamId);

        var state = await live.Editor.GetFromJsonAsync<JsonElement>($"/api/streams/{live.StreamId}/crosspost");
        var posts = state.GetProperty("posts").EnumerateArray().ToDictionary(p => p.GetProperty("postId").GetGuid());
        Assert.Equal("deleted", posts[gone.GetProperty("id").GetGuid()].GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, posts[gone.GetProperty("id").GetGuid()].GetProperty("blueskyUrl").ValueKind);

        var thread = await _host.ThreadAsync(_pds, live.StreamId);
        var firstPart = thread.Single(r => r.Text!.EndsWith("(1/2)", StringComparison.Ordinal));
        var firstPartUrl = $"https://bsky.app/profile/{_pds.DefaultAccount.Did}/post/{firstPart.Rkey}";
        var splitPost = posts[split.GetProperty("id").GetGuid()];
        Assert.Equal("posted", splitPost.GetProperty("state").GetString());
        Assert.Equal(firstPartUrl, splitPost.GetProperty("blueskyUrl").GetString());
        var secondPart = splitPost.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("part").GetInt32() == 1 && i.GetProperty("state").GetString() == "posted");
        Assert.Equal(firstPartUrl, secondPart.GetProperty("firstPartUrl").GetString());

        // A stream held by a lease (as after a crash of another instance): the waiting post says so, and until when.
        var until = DateTime.UtcNow.AddMinutes(5);
        await _host.WithDbAsync(db => db.Set<CrossPostThread>().Where(t => t.StreamId == live.StreamId)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.LeaseOwner, "other-instance/boot/drain").SetProperty(t => t.LeaseUntilUtc, until)));
        var waiting = await live.PostAsync("Waiting for the lease");
        var waitState = await live.Editor.GetFromJsonAsync<JsonElement>($"/api/streams/{live.StreamId}/crosspost");
        var wait = waitState.GetProperty("posts").EnumerateArray().Single(p => p.GetProperty("postId").GetGuid() == waiting.GetProperty("id").GetGuid()).GetProperty("wait");
        Assert.Equal("lease", wait.GetProperty("reason").GetString());
        Assert.Contains("other-instance", wait.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(until, wait.GetProperty("until").GetDateTime().ToUniversalTime(), TimeSpan.FromSeconds(1));
        Assert.Equal("lease", waitState.GetProperty("wait").GetProperty("reason").GetString());
    }

    private static async Task<Guid> UploadAsync(CrossPostScenario live)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Png);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        form.Add(file, "file", "stage.png");
        form.Add(new StringContent("The panel on stage in Hall A"), "altText");
        var upload = await live.Editor.PostAsync($"/api/streams/{live.StreamId}/images", form);
        Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
        return (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    // 1×1 PNG.
    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAE3RFWHRDb21tZW50AHNlY3JldCBnZW8hGT5cCgAAAA1JREFUeJxj+M/A8B8ABQAB/4mZPR0AAAAASUVORK5CYII=");
}

public sealed class CrossPostThreadTestsOnSqlite() : CrossPostThreadTests(DatabaseProvider.Sqlite);

public sealed class CrossPostThreadTestsOnPostgres() : CrossPostThreadTests(DatabaseProvider.Postgres);
