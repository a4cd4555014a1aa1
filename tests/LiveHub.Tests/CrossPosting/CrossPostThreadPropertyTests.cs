using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.CrossPosting;
using LiveHub.Data;
using LiveHub.Live;
using LiveHub.Testing.FakeBluesky;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static LiveHub.Tests.CrossPosting.CrossPostTestSupport;

namespace LiveHub.Tests.CrossPosting;

/// <summary>
/// Random sequences of what staff do to a live stream (post, post long enough to be split, edit in either mode, delete
/// (the coverage marker included), pin, key moment, end coverage) mixed with crashes and restarts of the cross-poster,
/// against the fake PDS. After the outbox drains, the thread walked down from its root as an AppView does must be exactly
/// what the live page implies: each update still on the live page, in live order, with its current text (split parts
/// in order), each correction after the update it quotes, and nothing else on the account: no duplicate, no deleted or
/// replaced text. A model of the stream, kept by the test, says what that is.
/// </summary>
/// <remarks>
/// One host and one fake PDS for all sequences, one new stream (session) per sequence; the real enqueuer, fast path and
/// worker. A "crash" leaves the stream leased to a dead run of this instance (as a SIGKILL does), so later changes queue
/// up; the "restart" is a second <see cref="CrossPostWorker"/> with the same instance id and a new boot id, which must take
/// the lease back at once and send the queue. <c>LIVEHUB_FUZZ_SEQUENCES</c> and <c>LIVEHUB_FUZZ_SEED</c> run more
/// sequences or reproduce one (the failure message prints both).
/// </remarks>
public abstract class CrossPostThreadPropertyTests(DatabaseProvider provider, int normalSequences, ITestOutputHelper output) : IAsyncLifetime
{
    private const int DefaultSeed = 20261203;

    private FakeBlueskyServer _pds = null!;
    private CrossPostingDatabase _database = null!;
    private CrossPostingHost _host = null!;

    public async Task InitializeAsync()
    {
        _pds = await FakeBlueskyServer.StartAsync();
        _database = await CrossPostingDatabase.CreateAsync(provider);
        // The test settles each stream itself (SettleAsync); the recurring sweep would only add background queries.
        // Quiet logs: thousands of Bluesky calls logged to the console would cost more CPU than the sequences themselves.
        _host = _database.Host(_pds, new Dictionary<string, string?>
        {
            ["CrossPosting:SweepInterval"] = "00:00:30",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:LiveHub"] = "Warning",
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _database.DisposeAsync();
        await _pds.DisposeAsync();
    }

    private static int Sequences(int normal) =>
        int.TryParse(Environment.GetEnvironmentVariable("LIVEHUB_FUZZ_SEQUENCES"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : normal;

    private static int Seed =>
        int.TryParse(Environment.GetEnvironmentVariable("LIVEHUB_FUZZ_SEED"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed) ? seed : DefaultSeed;

    [Fact]
    public async Task Whatever_staff_do_the_thread_from_the_root_is_the_live_page_in_order()
    {
        var seed = Seed;
        var count = Sequences(normalSequences);
        var live = await ScenarioAsync(_host, _pds, start: false);
        var instance = _host.Services.GetRequiredService<CrossPostInstance>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var stats = new Stats();
        for (var index = 0; index < count; index++)
        {
            var random = new Random(unchecked((seed * 100_003) + index));
            var log = new List<string>();
            try
            {
                await RunSequenceAsync(live, instance, random, index, log, stats);
            }
            catch (Exception ex)
            {
                Assert.Fail($"Sequence {index} failed (rerun with LIVEHUB_FUZZ_SEED={seed} and LIVEHUB_FUZZ_SEQUENCES={index + 1}; the last sequence is the failing one).\n" +
                    $"Steps:\n  {string.Join("\n  ", log)}\n{ex}");
            }
        }

        var used = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu;
        output.WriteLine($"{count} sequences from seed {seed} in {clock.Elapsed.TotalSeconds:F1} s ({used.TotalSeconds:F1} s of CPU for the whole test process, " +
            $"host and fake PDS included): {stats}; {_pds.CommitCount} commits on the fake PDS.");
    }

    private sealed class Stats
    {
        public int Posts, Splits, Corrections, Reposts, Deletes, RootDeletes, Crashes, Ends;

        public override string ToString() =>
            $"{Posts} posts ({Splits} split), {Corrections} correction edits, {Reposts} delete-and-repost edits, {Deletes} deletes ({RootDeletes} of the coverage marker), {Crashes} crashes, {Ends} ends of coverage";
    }

    /// <summary>An entry of the model thread: a live update (its current text) or a correction, at its place.</summary>
    private sealed class Entry(long slot, Guid postId, bool correction, IReadOnlyList<string> texts)
    {
        public long Slot { get; } = slot;
        public Guid PostId { get; } = postId;
        public bool Correction { get; } = correction;
        /// <summary>The record texts, one per part.</summary>
        public IReadOnlyList<string> Texts { get; set; } = texts;
    }

    private async Task RunSequenceAsync(CrossPostScenario scenario, CrossPostInstance instance, Random random, int index, List<string> log, Stats stats)
    {
        var commitsBefore = _pds.GetRecords(collection: FakeBlueskyServer.PostCollection).Select(r => r.Uri).ToHashSet();
        var live = scenario with { StreamId = await scenario.AddCoveredSessionAsync($"Sequence {index}") };
        log.Add($"stream {live.StreamId} started");
        var model = new List<Entry>();
        var postIds = new List<Guid>();
        var tick = 0L;
        var marker = await _host.WithDbAsync(db => db.LivePosts.Where(p => p.StreamId == live.StreamId).Select(p => p.Id).SingleAsync());
        model.Add(new Entry(tick++, marker, false, await ComposeAsync(marker)));
        postIds.Add(marker);
        var mode = (CrossPostEditMode?)null;
        var crashed = false;
        var ended = false;
        var steps = random.Next(4, 13);
        for (var step = 0; step < steps && !ended; step++)
        {
            var roll = random.NextDouble();
            var editable = postIds.Where(id => id != marker).ToList();
            if (roll < 0.30 || editable.Count == 0 && roll < 0.6)
            {
                var split = random.NextDouble() < 0.25;
                var body = Body(index, postIds.Count, 1, split);
                var post = await scenario.PostToAsync(live.StreamId, body);
                var id = post.GetProperty("id").GetGuid();
                postIds.Add(id);
                model.Add(new Entry(tick++, id, false, await ComposeAsync(id)));
                stats.Posts++;
                stats.Splits += split ? 1 : 0;
                log.Add($"post {id} ({body.Length} chars)");
            }
            else if (roll < 0.55 && editable.Count > 0)
            {
                var id = editable[random.Next(editable.Count)];
                var wanted = random.NextDouble() < 0.5 ? CrossPostEditMode.CorrectionReply : CrossPostEditMode.DeleteAndRepost;
                if (mode != wanted)
                {
                    await live.SetEditModeAsync(wanted);
                    mode = wanted;
                }

                var version = model.Count(e => e.PostId == id) + 1 + random.Next(1000);
                var body = Body(index, postIds.IndexOf(id), version, random.NextDouble() < 0.2);
                var response = await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/posts/{id}", new { kind = "update", body });
                Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
                if (wanted == CrossPostEditMode.CorrectionReply)
                {
                    model.Add(new Entry(tick++, id, true, await ComposeAsync(id, correction: true)));
                    stats.Corrections++;
                }
                else
                {
                    // The update takes its new text in its place; its corrections go with the old records.
                    model.RemoveAll(e => e.PostId == id && e.Correction);
                    model.Single(e => e.PostId == id).Texts = await ComposeAsync(id);
                    stats.Reposts++;
                }

                log.Add($"edit {id} ({wanted}, {body.Length} chars)");
            }
            else if (roll < 0.70 && postIds.Count > 0)
            {
                var candidates = random.NextDouble() < 0.15 ? postIds : (editable.Count > 0 ? editable : postIds);
                var id = candidates[random.Next(candidates.Count)];
                var response = await live.Editor.DeleteAsync($"/api/streams/{live.StreamId}/posts/{id}");
                Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
                model.RemoveAll(e => e.PostId == id);
                postIds.Remove(id);
                stats.Deletes++;
                stats.RootDeletes += id == marker ? 1 : 0;
                log.Add($"delete {id}{(id == marker ? " (the coverage marker)" : "")}");
            }
            else if (roll < 0.76 && postIds.Count > 0)
            {
                var id = postIds[random.Next(postIds.Count)];
                var pin = random.NextDouble() < 0.5;
                var response = pin
                    ? await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/posts/{id}/pin", new { pinned = true })
                    : await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/posts/{id}/key-moment", new { keyMoment = true });
                Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
                log.Add($"{(pin ? "pin" : "key moment")} {id}");
            }
            else if (roll < 0.83 && !crashed)
            {
                // Killed while it held the stream: the lease stays with the dead run until a restart takes it back.
                await SettleAsync(live.StreamId);
                var until = DateTime.UtcNow.AddMinutes(10);
                await _host.WithDbAsync(db => db.Set<CrossPostThread>().Where(t => t.StreamId == live.StreamId)
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.LeaseOwner, $"{instance.Id}/deadboot{index}/{Guid.NewGuid():N}").SetProperty(t => t.LeaseUntilUtc, until)));
                crashed = true;
                stats.Crashes++;
                log.Add("crash (lease left to a dead run)");
            }
            else if (roll < 0.90 && crashed)
            {
                await RestartAsync(instance, live.StreamId);
                crashed = false;
                log.Add("restart");
            }
            else if (roll < 0.97)
            {
                if (!crashed)
                {
                    await SettleAsync(live.StreamId);
                }

                log.Add("settle");
            }
            else
            {
                var session = await _host.WithDbAsync(db => db.LiveStreams.Where(s => s.Id == live.StreamId).Select(s => s.SessionId).SingleAsync());
                (await live.Editor.PostAsync($"/api/events/{live.Slug}/sessions/{session}/coverage/end", null)).EnsureSuccessStatusCode();
                var endMarker = await _host.WithDbAsync(db => db.LivePosts.Where(p => p.StreamId == live.StreamId).OrderByDescending(p => p.Sequence).Select(p => p.Id).FirstAsync());
                model.Add(new Entry(tick++, endMarker, false, await ComposeAsync(endMarker)));
                postIds.Add(endMarker);
                ended = true;
                stats.Ends++;
                log.Add("end coverage");
            }
        }

        if (crashed)
        {
            await RestartAsync(instance, live.StreamId);
            log.Add("restart");
        }

        await SettleAsync(live.StreamId);
        await AssertThreadAsync(live.StreamId, model, commitsBefore);
    }

    /// <summary>
    /// Until the stream's outbox is drained: waits for this process's fast-path drain, then runs the worker itself (a
    /// no-op when nothing is due), until nothing is queued, sending or left to re-thread and no drain holds the stream.
    /// </summary>
    private async Task SettleAsync(Guid streamId)
    {
        var kicker = _host.Services.GetRequiredService<CrossPostKicker>();
        var worker = _host.Services.GetRequiredService<CrossPostWorker>();
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            await kicker.WhenIdleAsync(streamId);
            await worker.DrainAsync(streamId, CancellationToken.None);
            var busy = await _host.WithDbAsync(async db =>
                await db.Set<CrossPostItem>().AnyAsync(i => i.StreamId == streamId && (i.State == CrossPostState.Queued || i.State == CrossPostState.Sending
                    || (i.State == CrossPostState.Replaced && i.RemovedAtUtc == null)))
                || await db.Set<CrossPostThread>().AnyAsync(t => t.StreamId == streamId && t.LeaseOwner != null));
            if (!busy)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "the stream's outbox did not drain");
            await Task.Delay(10);
        }
    }

    private async Task RestartAsync(CrossPostInstance instance, Guid streamId)
    {
        var restarted = ActivatorUtilities.CreateInstance<CrossPostWorker>(_host.Services, new CrossPostInstance(instance.Id));
        await restarted.RecoverOwnLeasesAsync(CancellationToken.None);
        Assert.False(await _host.WithDbAsync(db => db.Set<CrossPostThread>().AnyAsync(t => t.StreamId == streamId && t.LeaseOwner != null && t.LeaseOwner.Contains("/deadboot"))),
            "the restarted run did not take back the lease of the dead one");
        await restarted.DrainAsync(streamId, CancellationToken.None);
    }

    private async Task AssertThreadAsync(Guid streamId, List<Entry> model, HashSet<string> before)
    {
        var expected = model.OrderBy(e => e.Slot).ToList();
        var thread = await _host.ThreadAsync(_pds, streamId);
        Assert.Equal(expected.SelectMany(e => e.Texts).ToList(), thread.Select(r => r.Text ?? "").ToList());

        // Each correction quotes the current first part of the update it corrects, which comes before it.
        var position = 0;
        foreach (var entry in expected)
        {
            if (entry.Correction)
            {
                var corrected = expected.First(e => e.PostId == entry.PostId && !e.Correction);
                var correctedAt = expected.TakeWhile(e => e != corrected).Sum(e => e.Texts.Count);
                Assert.Equal(thread[correctedAt].Uri, thread[position].QuotedUri());
            }

            position += entry.Texts.Count;
        }

        // Nothing else of this stream is left on the account: every record written since the sequence began that still
        // exists is on the thread (so no duplicate, and no text of a deleted or replaced version anywhere).
        var leftovers = _pds.GetRecords(collection: FakeBlueskyServer.PostCollection).Where(r => !before.Contains(r.Uri)).Select(r => r.Uri).ToHashSet();
        leftovers.ExceptWith(thread.Select(r => r.Uri));
        Assert.True(leftovers.Count == 0, $"records outside the thread: {string.Join(", ", leftovers.Select(u => _pds.Posts().First(r => r.Uri == u).Text))}");
    }

    /// <summary>The record texts the update (or a correction of it) becomes on Bluesky now (no hashtags are set).</summary>
    private async Task<IReadOnlyList<string>> ComposeAsync(Guid postId, bool correction = false)
    {
        var post = await _host.WithDbAsync(db => db.LivePosts.AsNoTracking().SingleAsync(p => p.Id == postId));
        return CrossPostText.Compose(post, null, null, correction);
    }

    private static string Body(int sequence, int post, int version, bool split)
    {
        var head = $"s{sequence} update {post} v{version}:";
        return split
            ? head + " " + string.Join(" ", Enumerable.Range(1, 75).Select(i => $"w{i}")) + "."
            : $"{head} the room is full";
    }
}

internal static class CrossPostScenarioPosting
{
    public static async Task<JsonElement> PostToAsync(this CrossPostScenario live, Guid streamId, string body)
    {
        var response = await live.Editor.PostAsJsonAsync($"/api/streams/{streamId}/posts", new { kind = "update", body });
        var content = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created || response.IsSuccessStatusCode, content);
        return JsonDocument.Parse(content).RootElement.Clone();
    }
}

public sealed class CrossPostThreadPropertyTestsOnSqlite(ITestOutputHelper output) : CrossPostThreadPropertyTests(DatabaseProvider.Sqlite, 500, output);

/// <summary>Fewer sequences in the normal run: PostgreSQL adds real concurrency between a change and a drain (it found one race), SQLite the volume.</summary>
public sealed class CrossPostThreadPropertyTestsOnPostgres(ITestOutputHelper output) : CrossPostThreadPropertyTests(DatabaseProvider.Postgres, 100, output);
