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

/// <summary>
/// A persistent fault window: every matching request fails while it lasts, taking <see cref="Kinds"/> in turn
/// (a kind that cannot apply to a request, such as <see cref="FaultKind.ExpiredToken"/> without a token, is passed over).
/// </summary>
public sealed record Outage(IReadOnlyList<FaultKind> Kinds)
{
    /// <summary>XRPC methods (NSIDs) affected; null means every XRPC method, logins included.</summary>
    public IReadOnlyCollection<string>? Methods { get; init; }

    /// <summary>When the outage ends, by the server's clock; null lasts until <see cref="FakeFaults.StopOutages"/>.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Retry-After for <see cref="FaultKind.RateLimited"/>; null means until <see cref="Until"/> (a limit that resets when the window ends).</summary>
    public TimeSpan? RetryAfter { get; init; }
}

public sealed record AppliedFault(long RequestSequence, string Nsid, FaultKind Kind);

/// <summary>Thread-safe fault injection: queued one-shot faults first, then outages, then the seeded random mode if enabled.</summary>
public sealed class FakeFaults
{
    private static readonly string[] SessionMethods = ["com.atproto.server.createSession", "com.atproto.server.refreshSession"];

    private readonly Lock gate = new();
    private readonly List<Fault> queue = [];
    private readonly List<AppliedFault> applied = [];
    private readonly List<OutageState> outages = [];
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

    /// <summary>Starts a persistent fault window; several may run at once (the first started that matches applies).</summary>
    public void StartOutage(Outage outage)
    {
        ArgumentNullException.ThrowIfNull(outage);
        ArgumentOutOfRangeException.ThrowIfZero(outage.Kinds.Count);
        lock (gate)
        {
            outages.Add(new OutageState(outage, outage.Methods is null ? null : new HashSet<string>(outage.Methods, StringComparer.Ordinal)));
        }
    }

    public void StartOutage(FaultKind kind, DateTimeOffset? until = null, IReadOnlyCollection<string>? methods = null) =>
        StartOutage(new Outage([kind]) { Until = until, Methods = methods });

    /// <summary>Ends every outage at once, whatever its <see cref="Outage.Until"/>.</summary>
    public void StopOutages()
    {
        lock (gate)
        {
            outages.Clear();
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
            outages.Clear();
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

    internal Fault? Take(long requestSequence, string nsid, bool hasToken, DateTimeOffset now)
    {
        lock (gate)
        {
            var index = queue.FindIndex(f => (f.Method is null || f.Method == nsid) && Applies(f.Kind, hasToken));
            Fault? fault = null;
            outages.RemoveAll(o => o.Outage.Until <= now);
            if (index >= 0)
            {
                fault = queue[index];
                queue.RemoveAt(index);
            }
            else if (outages.Select(o => o.Next(nsid, hasToken, now)).FirstOrDefault(f => f is not null) is { } outageFault)
            {
                fault = outageFault;
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

    private sealed class OutageState(Outage outage, HashSet<string>? methods)
    {
        private int turn;

        public Outage Outage { get; } = outage;

        public Fault? Next(string nsid, bool hasToken, DateTimeOffset now)
        {
            if (methods is not null && !methods.Contains(nsid))
            {
                return null;
            }
            for (var i = 0; i < Outage.Kinds.Count; i++)
            {
                var kind = Outage.Kinds[turn++ % Outage.Kinds.Count];
                if (Applies(kind, hasToken))
                {
                    var retryAfter = Outage.RetryAfter ?? (Outage.Until is { } until ? until - now : TimeSpan.FromSeconds(1));
                    return new Fault(kind, nsid) { RetryAfter = retryAfter };
                }
            }
            return null;
        }
    }

    private sealed record RandomFaults(Random Random, double Probability, List<FaultKind> Kinds, HashSet<string>? Methods, TimeSpan SlowResponseDelay);
}
