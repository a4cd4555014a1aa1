using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace LiveHub.Live;

/// <summary>
/// A fresh client's join answer (the snapshot: the newest posts and the pinned one), kept per stream in memory with its
/// JSON already written, so that a crowd joining at once (a page shared, the venue's Wi-Fi back) costs one database read
/// and one serialisation instead of one each.
/// </summary>
/// <remarks>
/// The database stays the source of truth: every join still reads the stream row (which also checks it is public), and a
/// cached snapshot is used only while that row reads exactly as it did when the snapshot was built, change number
/// included, so no post written since can be missing. What a post shows but does not number (a speaker's name, an
/// image's alt text edited without editing the post) may be up to <see cref="LiveOptions.SnapshotCacheLifetime"/> old
/// in a fresh join, as it already is in the pushes of a stream nobody edits.
/// </remarks>
public sealed class LiveSnapshotCache(IOptions<JsonHubProtocolOptions> protocol, IOptions<LiveOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<Guid, Task<LiveSnapshot>> _snapshots = new();
    private long _lastSweep = clock.GetTimestamp();
    private long _builds;

    /// <summary>Snapshots built so far (misses).</summary>
    public long Builds => Interlocked.Read(ref _builds);

    /// <summary>
    /// The snapshot of <paramref name="stream"/> as read now (<paramref name="current"/>), from the cache when it still
    /// matches, else built by <paramref name="build"/>. Concurrent misses of one stream share one build.
    /// </summary>
    public async Task<LiveSnapshot> GetAsync(LiveStreamResponse current, string? byline, Func<Task<LiveChanges>> build, CancellationToken cancellationToken)
    {
        var lifetime = options.Value.SnapshotCacheLifetime;
        if (lifetime <= TimeSpan.Zero)
        {
            return Serialise(await build(), current, byline);
        }

        Sweep(lifetime);
        TaskCompletionSource<LiveSnapshot>? building = null;
        while (true)
        {
            if (_snapshots.TryGetValue(current.Id, out var cached))
            {
                if (!cached.IsCompleted)
                {
                    try
                    {
                        var shared = await cached.WaitAsync(cancellationToken);
                        if (Fits(shared, current, byline, lifetime))
                        {
                            return shared;
                        }
                    }
                    catch (Exception) when (!cancellationToken.IsCancellationRequested)
                    {
                        // The other join's build failed (its client went away, the database blinked): build here.
                    }
                }
                else if (cached.IsCompletedSuccessfully && Fits(cached.Result, current, byline, lifetime))
                {
                    return cached.Result;
                }

                building ??= new TaskCompletionSource<LiveSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_snapshots.TryUpdate(current.Id, building.Task, cached))
                {
                    break;
                }
            }
            else
            {
                building ??= new TaskCompletionSource<LiveSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_snapshots.TryAdd(current.Id, building.Task))
                {
                    break;
                }
            }
        }

        try
        {
            var snapshot = Serialise(await build(), current, byline);
            Interlocked.Increment(ref _builds);
            building.SetResult(snapshot);
            return snapshot;
        }
        catch (Exception ex)
        {
            _snapshots.TryRemove(new KeyValuePair<Guid, Task<LiveSnapshot>>(current.Id, building.Task));
            building.SetException(ex);
            _ = building.Task.Exception;
            throw;
        }
    }

    private bool Fits(LiveSnapshot snapshot, LiveStreamResponse current, string? byline, TimeSpan lifetime) =>
        snapshot.Stream == current && snapshot.Byline == byline && clock.GetElapsedTime(snapshot.BuiltAt) < lifetime;

    private LiveSnapshot Serialise(LiveChanges changes, LiveStreamResponse current, string? byline) =>
        new(current, byline, clock.GetTimestamp(), changes, JsonSerializer.SerializeToUtf8Bytes(changes, protocol.Value.PayloadSerializerOptions));

    /// <summary>Now and then, forgets the snapshots of streams nobody joined for a lifetime.</summary>
    private void Sweep(TimeSpan lifetime)
    {
        var last = Interlocked.Read(ref _lastSweep);
        if (clock.GetElapsedTime(last) < lifetime || Interlocked.CompareExchange(ref _lastSweep, clock.GetTimestamp(), last) != last)
        {
            return;
        }

        foreach (var (streamId, task) in _snapshots)
        {
            if (task.IsCompleted && (!task.IsCompletedSuccessfully || clock.GetElapsedTime(task.Result.BuiltAt) >= lifetime))
            {
                _snapshots.TryRemove(new KeyValuePair<Guid, Task<LiveSnapshot>>(streamId, task));
            }
        }
    }
}

/// <summary>A stream's snapshot and its JSON as the hub protocol writes it.</summary>
public sealed record LiveSnapshot(LiveStreamResponse Stream, string? Byline, long BuiltAt, LiveChanges Changes, byte[] Json);

/// <summary>
/// What <see cref="LiveCoverageHub.Join"/> answers: a <see cref="LiveChanges"/>, written as the JSON already made for it
/// when it came from the <see cref="LiveSnapshotCache"/>. Clients read it as a <see cref="LiveChanges"/>.
/// </summary>
[JsonConverter(typeof(LiveJoinAnswerConverter))]
public sealed record LiveJoinAnswer(LiveChanges Changes, byte[]? Json);

internal sealed class LiveJoinAnswerConverter : JsonConverter<LiveJoinAnswer>
{
    public override LiveJoinAnswer Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(JsonSerializer.Deserialize<LiveChanges>(ref reader, options)!, null);

    public override void Write(Utf8JsonWriter writer, LiveJoinAnswer value, JsonSerializerOptions options)
    {
        if (value.Json is { } json)
        {
            writer.WriteRawValue(json, skipInputValidation: true);
        }
        else
        {
            JsonSerializer.Serialize(writer, value.Changes, options);
        }
    }
}
