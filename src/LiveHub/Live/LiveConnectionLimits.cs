using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace LiveHub.Live;

/// <summary>
/// Bounds what one client address can make the hub do: how many connections it holds at once, and how
/// often it may join a stream (each join reads a snapshot from the database), per connection and per
/// address. The defaults leave room for a venue whose attendees all share one NAT address (see
/// <see cref="LiveOptions"/>). Counts are per instance: behind a load balancer each instance applies them.
/// </summary>
public sealed class LiveConnectionLimits(IOptions<LiveOptions> options, TimeProvider clock)
{
    private readonly Dictionary<string, int> _connections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TokenBucket> _addressJoins = new(StringComparer.Ordinal);

    /// <summary>
    /// The key an address is counted under: IPv4 addresses as they are (IPv4-mapped IPv6 included), IPv6
    /// by their /64 prefix (one subscriber's network); "unknown" when the transport has no address.
    /// </summary>
    public static string AddressKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    /// <summary>Counts a new connection from the address, unless the address already holds the maximum.</summary>
    public bool TryOpen(string address)
    {
        lock (_connections)
        {
            var count = _connections.GetValueOrDefault(address);
            if (count >= options.Value.MaxConnectionsPerAddress)
            {
                return false;
            }

            _connections[address] = count + 1;
            return true;
        }
    }

    public void Close(string address)
    {
        lock (_connections)
        {
            if (_connections.TryGetValue(address, out var count) && count > 1)
            {
                _connections[address] = count - 1;
                return;
            }

            _connections.Remove(address);
            // Forget the address's join budget once it is idle and full again, so the table does not grow with every address ever seen.
            if (_addressJoins.TryGetValue(address, out var bucket) && bucket.IsFull(clock))
            {
                _addressJoins.Remove(address);
            }
        }
    }

    /// <summary>True when the address already holds the maximum number of connections.</summary>
    public bool IsFull(string address) => ConnectionCount(address) >= options.Value.MaxConnectionsPerAddress;

    public int ConnectionCount(string address)
    {
        lock (_connections)
        {
            return _connections.GetValueOrDefault(address);
        }
    }

    /// <summary>A join budget for one connection.</summary>
    public TokenBucket NewConnectionBudget() => new(options.Value.JoinsPerConnection, options.Value.JoinsPerConnectionWindow, clock);

    /// <summary>Takes one join from the connection's and the address's budgets; null if allowed, else why not.</summary>
    public string? TryJoin(TokenBucket connectionBudget, string address)
    {
        if (!connectionBudget.TryTake(clock))
        {
            return $"Too many joins on this connection (at most {options.Value.JoinsPerConnection} per {Describe(options.Value.JoinsPerConnectionWindow)}); wait a few seconds.";
        }

        TokenBucket addressBudget;
        lock (_connections)
        {
            if (!_addressJoins.TryGetValue(address, out addressBudget!))
            {
                addressBudget = new TokenBucket(options.Value.JoinsPerAddress, options.Value.JoinsPerAddressWindow, clock);
                _addressJoins[address] = addressBudget;
            }
        }

        return addressBudget.TryTake(clock)
            ? null
            : $"Too many joins from your network address (at most {options.Value.JoinsPerAddress} per {Describe(options.Value.JoinsPerAddressWindow)}); wait a few seconds.";
    }

    private static string Describe(TimeSpan window) => window.TotalSeconds < 120 ? $"{window.TotalSeconds:0} s" : $"{window.TotalMinutes:0} min";

    /// <summary>
    /// Holds up to <c>capacity</c> tokens and refills at <c>capacity</c> per <c>window</c>, continuously:
    /// a burst of the whole capacity is allowed, then the average rate.
    /// </summary>
    public sealed class TokenBucket
    {
        private readonly Lock _gate = new();
        private readonly double _capacity;
        private readonly double _perTick;
        private double _tokens;
        private long _last;

        internal TokenBucket(int capacity, TimeSpan window, TimeProvider clock)
        {
            _capacity = capacity;
            _perTick = capacity / (window.TotalSeconds * clock.TimestampFrequency);
            _tokens = capacity;
            _last = clock.GetTimestamp();
        }

        public bool TryTake(TimeProvider clock)
        {
            lock (_gate)
            {
                Refill(clock);
                if (_tokens < 1)
                {
                    return false;
                }

                _tokens--;
                return true;
            }
        }

        internal bool IsFull(TimeProvider clock)
        {
            lock (_gate)
            {
                Refill(clock);
                return _tokens >= _capacity;
            }
        }

        private void Refill(TimeProvider clock)
        {
            var now = clock.GetTimestamp();
            _tokens = Math.Min(_capacity, _tokens + ((now - _last) * _perTick));
            _last = now;
        }
    }
}
