using System.Text.Json;

namespace LiveHub.Tests.Live;

/// <summary>
/// What a well-behaved client holds: posts by id, each at its highest change number, and the last
/// change applied. Applies <c>LiveChanges</c> messages with the rule the browser client uses.
/// </summary>
public sealed class LiveMirror
{
    private readonly Dictionary<Guid, JsonElement> _posts = [];

    public long LastApplied { get; private set; }

    public int AppliedPostUpdates { get; private set; }

    /// <summary>Applies a message; returns false (and changes nothing) if it starts after a gap.</summary>
    public bool Apply(JsonElement changes)
    {
        if (changes.GetProperty("after").GetInt64() > LastApplied)
        {
            return false;
        }

        foreach (var post in changes.GetProperty("posts").EnumerateArray())
        {
            var id = post.GetProperty("id").GetGuid();
            var change = post.GetProperty("changeSequence").GetInt64();
            if (!_posts.TryGetValue(id, out var existing) || existing.GetProperty("changeSequence").GetInt64() < change)
            {
                _posts[id] = post.Clone();
                AppliedPostUpdates++;
            }
        }

        LastApplied = Math.Max(LastApplied, changes.GetProperty("through").GetInt64());
        return true;
    }

    /// <summary>Visible posts, oldest first, as (sequence, body).</summary>
    public IReadOnlyList<(int Sequence, string? Body)> Visible =>
        [.. _posts.Values.Where(p => !p.GetProperty("deleted").GetBoolean())
            .OrderBy(p => p.GetProperty("sequence").GetInt32())
            .Select(p => (p.GetProperty("sequence").GetInt32(), p.GetProperty("body").GetString()))];
}
