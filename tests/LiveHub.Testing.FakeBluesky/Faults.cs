namespace LiveHub.Testing.FakeBluesky;

public enum FaultKind
{
    /// <summary>Process the request (commit any write), then answer 500 InternalServerError.</summary>
    InternalErrorAfterCommit,

    /// <summary>Answer 500 without processing.</summary>
    InternalErrorBeforeCommit,

    /// <summary>Answer 502 with an HTML body, without processing (a load balancer in front of a dead PDS).</summary>
    BadGateway,

    /// <summary>Abort the connection without processing.</summary>
    DropBeforeCommit,

    /// <summary>Process the request (commit any write), then abort the connection without a response.</summary>
    DropAfterCommit,

    /// <summary>Answer 429 RateLimitExceeded with RateLimit-* and Retry-After headers, without processing.</summary>
    RateLimited,

    /// <summary>Answer 400 ExpiredToken (only for requests carrying a token), without processing.</summary>
    ExpiredToken,

    /// <summary>Process the request, then wait <see cref="Fault.Delay"/> before answering.</summary>
    SlowResponse,
}

/// <summary>A one-shot fault. <see cref="Method"/> (an NSID) limits it to one XRPC method; null matches any.</summary>
public sealed record Fault(FaultKind Kind, string? Method = null)
{
    public TimeSpan Delay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Retry-After sent with <see cref="FaultKind.RateLimited"/>; RateLimit-Reset is now plus this, as Unix seconds.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(1);
}

public sealed record AppliedFault(long RequestSequence, string Nsid, FaultKind Kind);

/// <summary>Thread-safe fault injection: queued one-shot faults first, then the seeded random mode if enabled.</summary>
public sealed class FakeFaults
{
    private static readonly string[] SessionMethods = ["com.atproto.server.createSession", "com.atproto.server.refreshSession"];

    private readonly Lock gate = new();
    private readonly List<Fault> queue = [];
    private readonly List<AppliedFault> applied = [];
    private RandomFaults? random;

    public static IReadOnlyList<FaultKind> DefaultRandomKinds { get; } =
    [
        FaultKind.InternalErrorAfterCommit, FaultKind.InternalErrorBeforeCommit, FaultKind.BadGateway,
        FaultKind.DropBeforeCommit, FaultKind.DropAfterCommit, FaultKind.RateLimited, FaultKind.ExpiredToken,
    ];

    public void Enqueue(Fault fault)
    {
        lock (gate)
        {
            queue.Add(fault);
        }
    }

    public void Enqueue(FaultKind kind, string? method = null) => Enqueue(new Fault(kind, method));

    /// <summary>
    /// Each matching request gets a fault with <paramref name="probability"/>, drawn from <paramref name="kinds"/> with a
    /// seeded generator. Without <paramref name="methods"/>, every XRPC method except createSession/refreshSession.
    /// </summary>
    public void EnableRandom(int seed, double probability, IReadOnlyCollection<FaultKind>? kinds = null,
        IReadOnlyCollection<string>? methods = null, TimeSpan? slowResponseDelay = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(probability, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(probability, 1);
        lock (gate)
        {
            random = new RandomFaults(new Random(seed), probability, [.. kinds ?? DefaultRandomKinds],
                methods is null ? null : new HashSet<string>(methods, StringComparer.Ordinal),
                slowResponseDelay ?? TimeSpan.FromMilliseconds(200));
        }
    }

    public void DisableRandom()
    {
        lock (gate)
        {
            random = null;
        }
    }

    public void Clear()
    {
        lock (gate)
        {
            queue.Clear();
            random = null;
        }
    }

    public int PendingCount
    {
        get
        {
            lock (gate)
            {
                return queue.Count;
            }
        }
    }

    public IReadOnlyList<AppliedFault> Applied
    {
        get
        {
            lock (gate)
            {
                return [.. applied];
            }
        }
    }

    internal Fault? Take(long requestSequence, string nsid, bool hasToken)
    {
        lock (gate)
        {
            var index = queue.FindIndex(f => (f.Method is null || f.Method == nsid) && Applies(f.Kind, hasToken));
            Fault? fault = null;
            if (index >= 0)
            {
                fault = queue[index];
                queue.RemoveAt(index);
            }
            else if (random is { } r
                && (r.Methods?.Contains(nsid) ?? !SessionMethods.Contains(nsid))
                && r.Random.NextDouble() < r.Probability)
            {
                var candidates = r.Kinds.Where(k => Applies(k, hasToken)).ToList();
                fault = candidates.Count == 0 ? null
                    : new Fault(candidates[r.Random.Next(candidates.Count)], nsid) { Delay = r.SlowResponseDelay };
            }
            if (fault is not null)
            {
                applied.Add(new AppliedFault(requestSequence, nsid, fault.Kind));
            }
            return fault;
        }
    }

    private static bool Applies(FaultKind kind, bool hasToken) => kind != FaultKind.ExpiredToken || hasToken;

    private sealed record RandomFaults(Random Random, double Probability, List<FaultKind> Kinds, HashSet<string>? Methods, TimeSpan SlowResponseDelay);
}
