using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace LiveHub.Staff;

/// <summary>
/// Slows password guessing without letting anyone lock the comms team out. Failed sign-ins are
/// counted per client address and per (account, address) pair over <see cref="SignInOptions.FailureWindow"/>;
/// past a few free failures each further attempt from that address must wait twice as long as the last
/// (1 s, 2 s, 4 s ... up to <see cref="SignInOptions.MaxDelay"/>). An account is never locked: its owner,
/// signing in from another address, is not slowed by someone else's guesses. Counts are per instance.
/// </summary>
public sealed class SignInThrottle(TimeProvider clock, IOptions<SignInOptions> options)
{
    private readonly ConcurrentDictionary<string, Failures> _failures = new(StringComparer.Ordinal);

    private sealed class Failures
    {
        public int Count;
        public DateTimeOffset First;
        public DateTimeOffset Last;
    }

    /// <summary>How long the caller must wait before this attempt may be checked, or null if it may go ahead.</summary>
    public TimeSpan? RetryAfter(string address, string account)
    {
        var limits = options.Value;
        var now = clock.GetUtcNow();
        var byAddress = Wait(AddressKey(address), limits.FreeFailuresPerAddress, now);
        var byPair = Wait(PairKey(address, account), limits.FreeFailuresPerAccountAndAddress, now);
        var wait = byAddress > byPair ? byAddress : byPair;
        return wait > TimeSpan.Zero ? wait : null;
    }

    public void Failed(string address, string account)
    {
        var now = clock.GetUtcNow();
        Count(AddressKey(address), now);
        Count(PairKey(address, account), now);
        if (_failures.Count > 50_000)
        {
            Prune(now);
        }
    }

    public void Succeeded(string address, string account)
    {
        _failures.TryRemove(PairKey(address, account), out _);
    }

    private TimeSpan Wait(string key, int freeFailures, DateTimeOffset now)
    {
        if (!_failures.TryGetValue(key, out var failures))
        {
            return TimeSpan.Zero;
        }

        lock (failures)
        {
            if (now - failures.First > options.Value.FailureWindow || failures.Count <= freeFailures)
            {
                return TimeSpan.Zero;
            }

            var exponent = Math.Min(failures.Count - freeFailures - 1, 30);
            var delay = TimeSpan.FromSeconds(Math.Pow(2, exponent));
            if (delay > options.Value.MaxDelay)
            {
                delay = options.Value.MaxDelay;
            }

            var until = failures.Last + delay;
            return until > now ? until - now : TimeSpan.Zero;
        }
    }

    private void Count(string key, DateTimeOffset now)
    {
        var failures = _failures.GetOrAdd(key, _ => new Failures { First = now });
        lock (failures)
        {
            if (now - failures.First > options.Value.FailureWindow)
            {
                failures.Count = 0;
                failures.First = now;
            }

            failures.Count++;
            failures.Last = now;
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, failures) in _failures)
        {
            if (now - failures.Last > options.Value.FailureWindow)
            {
                _failures.TryRemove(key, out _);
            }
        }
    }

    private static string AddressKey(string address) => "a|" + address;

    private static string PairKey(string address, string account) => "p|" + account + "|" + address;
}
