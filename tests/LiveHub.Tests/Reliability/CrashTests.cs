using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using LiveHub.Testing.FakeBluesky;
using LiveHub.Tests.CrossPosting;
using LiveHub.Tests.Infrastructure;
using Xunit.Abstractions;

namespace LiveHub.Tests.Reliability;

/// <summary>
/// The real process, SIGKILLed at random moments during a burst of live posts and started again. Senders retry a post
/// whose answer was lost with the same Idempotency-Key: every post ends acknowledged and stored exactly once, nothing is
/// cross-posted twice, and numbering and threading stay whole. PostgreSQL only: it is
/// the production store, and the only one a second process could share.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    private const int Seed = 20261121;
    private const int Senders = 4;
    private const int PostsPerSender = 50;
    private const int Kills = 4;
    private static readonly TimeSpan BurstDeadline = TimeSpan.FromSeconds(150);

    /// <summary>A post as its sender saw it: acknowledged at <see cref="Sequence"/> after <see cref="Retries"/> sends that got no answer or an error.</summary>
    private sealed record Attempt(int Sender, int Number, string Body, int Sequence, int Retries);

    [Fact]
    public async Task Killing_the_process_during_a_burst_of_posts_loses_nothing_and_retried_posts_are_stored_once()
    {
        var clock = Stopwatch.StartNew();
        await using var pds = await FakeBlueskyServer.StartAsync();
        var connectionString = await PostgresServer.CreateDatabaseAsync("livehub_crash");
        var data = Directory.CreateTempSubdirectory("livehub-crash").FullName;
        var settings = LiveHubProcess.PostgresSettings(connectionString, data, pds);
        // A SIGKILLed drain cannot release its stream's lease; a short lease lets the restarted process take over soon.
        settings["CrossPosting__LeaseDuration"] = "00:00:03";
        var app = new LiveHubProcess(settings);
        try
        {
            await app.StartAsync();
            using var admin = await app.AdminClientAsync();
            var streamId = await StartCoverageWithCrossPostingAsync(admin, pds);

            var random = new Random(Seed);
            var total = Senders * PostsPerSender;
            // Spread the kills over the burst: one in each of `Kills` equal slices, at a random point in it.
            var slice = (total - 20) / Kills;
            var killAt = Enumerable.Range(0, Kills).Select(i => 10 + i * slice + random.Next(slice / 2)).ToArray();
            var settled = 0;
            var refusedRetries = 0;
            var attempts = new ConcurrentBag<Attempt>();
            var failures = new ConcurrentBag<string>();
            using var burstTimeout = new CancellationTokenSource(BurstDeadline);

            async Task SendAsync(int sender)
            {
                using var client = await app.AdminClientAsync();
                for (var number = 1; number <= PostsPerSender; number++)
                {
                    var body = $"Sender {sender} post {number:D2}";
                    var retries = 0;
                    while (true)
                    {
                        burstTimeout.Token.ThrowIfCancellationRequested();
                        try
                        {
                            // As the staff console does: one key per post, kept across retries, so a retry after a lost
                            // answer gets the stored post back instead of storing it twice.
                            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/streams/{streamId}/posts")
                            {
                                Content = JsonContent.Create(new { kind = "update", body }),
                            };
                            request.Headers.Add("Idempotency-Key", $"sender-{sender}-post-{number}");
                            using var response = await client.SendAsync(request, burstTimeout.Token);
                            var content = await response.Content.ReadAsStringAsync(burstTimeout.Token);
                            if (response.IsSuccessStatusCode)
                            {
                                attempts.Add(new Attempt(sender, number, body, JsonDocument.Parse(content).RootElement.GetProperty("sequence").GetInt32(), retries));
                                break;
                            }

                            failures.Add($"{body}: {(int)response.StatusCode} {content}");
                        }
                        catch (HttpRequestException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
                        {
                            // Nothing listens: the request never reached the app.
                            Interlocked.Increment(ref refusedRetries);
                            await Task.Delay(50, burstTimeout.Token);
                            continue;
                        }
                        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException && !burstTimeout.IsCancellationRequested)
                        {
                            // Sent, then the connection died: it may or may not have committed. The retry finds out.
                            failures.Add($"{body}: {ex.GetType().Name}: {ex.Message}");
                        }

                        retries++;
                        await Task.Delay(50, burstTimeout.Token);
                    }

                    Interlocked.Increment(ref settled);
                }
            }

            async Task KillAndRestartAsync()
            {
                foreach (var point in killAt)
                {
                    while (Volatile.Read(ref settled) < point)
                    {
                        await Task.Delay(5, burstTimeout.Token);
                    }

                    await Task.Delay(random.Next(30), burstTimeout.Token);
                    await app.KillAsync();
                    await Task.Delay(random.Next(300), burstTimeout.Token);
                    await app.StartAsync();
                }
            }

            var burstClock = Stopwatch.StartNew();
            await Task.WhenAll([KillAndRestartAsync(), .. Enumerable.Range(1, Senders).Select(SendAsync)]);
            var burstTime = burstClock.Elapsed;

            // What the stream holds now, read back through the API.
            var stream = await admin.GetFromJsonAsync<JsonElement>($"/api/streams/{streamId}");
            var lastSequence = stream.GetProperty("lastSequence").GetInt32();
            var lastChange = stream.GetProperty("lastChange").GetInt64();
            var posts = await AllPostsAsync(admin, streamId, lastSequence);
            var bodies = posts.GroupBy(p => p.Body).ToDictionary(g => g.Key, g => g.ToList());
            var duplicates = bodies.Where(b => b.Value.Count > 1).Select(b => b.Key).ToList();
            var lost = attempts.Where(a => !bodies.ContainsKey(a.Body)).Select(a => a.Body).ToList();
            var retried = attempts.Where(a => a.Retries > 0).ToList();

            Assert.Equal(total, attempts.Count); // every post acknowledged in the end
            Assert.True(retried.Count > 0, "no post needed a retry: the kills missed the requests in flight");
            Assert.True(duplicates.Count == 0, $"stored twice: {string.Join(", ", duplicates)}");
            Assert.True(lost.Count == 0, $"acknowledged but lost: {string.Join(", ", lost)}");
            // Nothing appears that nobody sent: the coverage marker and the senders' posts, no more.
            Assert.Equal(total + 1, posts.Count);
            var sent = attempts.Select(a => a.Body).ToHashSet();
            Assert.All(posts.Skip(1), p => Assert.Contains(p.Body, sent));
            Assert.Equal("Live coverage of Crash panel has started.", posts[0].Body);
            // Each acknowledged post is where the response said, and the numbers have no gaps.
            Assert.All(attempts, a => Assert.Equal(a.Sequence, bodies[a.Body].Single().Sequence));
            Assert.Equal(Enumerable.Range(1, lastSequence), posts.Select(p => p.Sequence));
            Assert.Equal(posts.Count, lastSequence);
            Assert.Equal(Enumerable.Range(1, lastSequence).Select(s => (long)s), posts.Select(p => p.Change));
            Assert.Equal(lastChange, posts[^1].Change);
            // Each sender's posts are in the stream in the order it sent them.
            foreach (var sender in Enumerable.Range(1, Senders))
            {
                var numbers = posts.Where(p => p.Body.StartsWith($"Sender {sender} ", StringComparison.Ordinal)).Select(p => p.Body).ToList();
                Assert.Equal(numbers.Order(StringComparer.Ordinal), numbers);
            }

            // A client catching up from any change number gets exactly the changes after it.
            var catchUp = await admin.GetFromJsonAsync<JsonElement>($"/api/streams/{streamId}/posts?after={lastChange / 2}");
            Assert.Equal(lastChange, catchUp.GetProperty("through").GetInt64());
            Assert.Equal(Enumerable.Range((int)(lastChange / 2) + 1, (int)(lastChange - lastChange / 2)).Select(c => (long)c),
                catchUp.GetProperty("posts").EnumerateArray().Select(p => p.GetProperty("changeSequence").GetInt64()));

            // Cross-posting: every stored post reaches Bluesky once, in stream order, as one thread.
            var drainClock = Stopwatch.StartNew();
            await CrossPostTestSupport.WaitUntilAsync(() => pds.Posts().Count >= posts.Count, $"{posts.Count} posts are on the fake PDS (have {pds.Posts().Count})", TimeSpan.FromSeconds(60));
            await WaitForOutboxDrainedAsync(admin, posts.Count);
            var drainTime = drainClock.Elapsed;
            var records = pds.Posts();
            Assert.Equal(posts.Select(p => p.Body), records.Select(r => r.Text));
            Assert.Equal(records.Count, records.Select(r => r.Text).Distinct().Count());
            Assert.Equal(records.Count, pds.CommitCount);
            CrossPostTestSupport.AssertOneThread(records);

            output.WriteLine($"Senders {Senders} x {PostsPerSender} posts; kills {Kills} (SIGKILL after {string.Join(", ", killAt)} settled posts); starts {app.Starts} (restarts {app.Starts - 1}).");
            output.WriteLine($"Acknowledged {attempts.Count} of {total}; {retried.Count} needed a retry after a lost answer or an error ({failures.Count} failed sends); refused and resent {refusedRetries}.");
            output.WriteLine($"Stored {posts.Count} posts (with the coverage marker), duplicates {duplicates.Count}, lost {lost.Count}; change numbers 1..{lastChange} without gaps.");
            output.WriteLine($"Cross-posted {records.Count} records, {pds.CommitCount} commits, one thread; outbox drained {drainTime.TotalSeconds:F1} s after the burst.");
            output.WriteLine($"Starts took {string.Join(", ", app.StartTimes.Select(t => $"{t.TotalSeconds:F1} s"))}.");
            output.WriteLine($"Burst {burstTime.TotalSeconds:F1} s; whole test {clock.Elapsed.TotalSeconds:F1} s.");
            foreach (var failure in failures)
            {
                output.WriteLine($"  failed send, retried: {failure}");
            }
        }
        catch (Exception ex)
        {
            Assert.Fail($"{ex}\n--- LiveHub output ---\n{app.Tail(150)}");
        }
        finally
        {
            await app.DisposeAsync();
            await PostgresServer.DropDatabaseAsync(connectionString);
            Directory.Delete(data, recursive: true);
        }
    }

    private sealed record StoredPost(int Sequence, long Change, string Body);

    /// <summary>An event with a session, the fake's account connected, cross-posting on, coverage of the session started.</summary>
    internal static async Task<Guid> StartCoverageWithCrossPostingAsync(HttpClient admin, FakeBlueskyServer pds)
    {
        var slug = "crash-" + Guid.NewGuid().ToString("N")[..10];
        (await admin.PostAsJsonAsync("/api/events", EventsTestData.Event(slug))).EnsureSuccessStatusCode();
        var session = await (await admin.PostAsJsonAsync($"/api/events/{slug}/sessions", new { title = "Crash panel", startsAt = "2030-06-01T14:00", endsAt = "2030-06-01T15:00", room = "Hall A" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var sessionId = session.GetProperty("id").GetGuid();
        var streams = await admin.GetFromJsonAsync<JsonElement>($"/api/events/{slug}/streams");
        var streamId = streams.EnumerateArray().Single(s => s.GetProperty("sessionId").ValueKind == JsonValueKind.String).GetProperty("id").GetGuid();
        await CrossPostTestSupport.ConnectAsync(admin, pds);
        var enable = await admin.PutAsJsonAsync($"/api/crosspost/events/{slug}", new { enabled = true });
        Assert.True(enable.IsSuccessStatusCode, await enable.Content.ReadAsStringAsync());
        (await admin.PostAsync($"/api/events/{slug}/sessions/{sessionId}/coverage/start", null)).EnsureSuccessStatusCode();
        return streamId;
    }

    /// <summary>Waits until the outbox has <paramref name="posted"/> rows posted and none waiting, sending or failed.</summary>
    internal static async Task WaitForOutboxDrainedAsync(HttpClient admin, int posted)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var counts = default(JsonElement);
        while (DateTime.UtcNow < deadline)
        {
            counts = (await admin.GetFromJsonAsync<JsonElement>("/api/crosspost/jobs")).GetProperty("counts");
            if (counts.GetProperty("posted").GetInt32() == posted && counts.GetProperty("queued").GetInt32() == 0
                && counts.GetProperty("sending").GetInt32() == 0 && counts.GetProperty("failed").GetInt32() == 0)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"The outbox did not drain: {counts}");
    }

    /// <summary>Every post of the stream, oldest first, through the history pages.</summary>
    private static async Task<List<StoredPost>> AllPostsAsync(HttpClient client, Guid streamId, int lastSequence)
    {
        var posts = new List<StoredPost>();
        int? before = lastSequence + 1;
        while (before is { } b)
        {
            var page = await client.GetFromJsonAsync<JsonElement>($"/api/streams/{streamId}/posts?before={b}&limit=200");
            posts.AddRange(page.GetProperty("posts").EnumerateArray().Select(p => new StoredPost(
                p.GetProperty("sequence").GetInt32(), p.GetProperty("changeSequence").GetInt64(), p.GetProperty("body").GetString()!)));
            before = page.GetProperty("nextBefore").ValueKind == JsonValueKind.Number ? page.GetProperty("nextBefore").GetInt32() : null;
        }

        return [.. posts.OrderBy(p => p.Sequence)];
    }
}
