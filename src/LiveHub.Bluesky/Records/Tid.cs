namespace LiveHub.Bluesky;

/// <summary>
/// Timestamp identifiers (record keys): 64 bits = 0 + 53 bits of microseconds since the Unix epoch + 10-bit clock id,
/// written as 13 characters of sortable base32, so string order is time order.
/// </summary>
public static class Tid
{
    public const string Alphabet = "234567abcdefghijklmnopqrstuvwxyz";
    public const int Length = 13;

    public static string Encode(long microseconds, int clockId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(microseconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(microseconds, (1L << 53) - 1);
        ArgumentOutOfRangeException.ThrowIfNegative(clockId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(clockId, 1023);
        var value = (microseconds << 10) | (uint)clockId;
        Span<char> chars = stackalloc char[Length];
        for (var i = Length - 1; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }
        return new string(chars);
    }

    /// <summary>Syntax check as the PDS does it (the timestamp itself is untrusted).</summary>
    public static bool IsValid(string? value) =>
        value is { Length: Length }
        && value[0] is (>= '2' and <= '7') or (>= 'a' and <= 'j')
        && value.All(c => Alphabet.Contains(c, StringComparison.Ordinal));

    public static (long Microseconds, int ClockId) Decode(string tid)
    {
        if (!IsValid(tid))
        {
            throw new FormatException($"Not a TID: {tid}");
        }
        long value = 0;
        foreach (var c in tid)
        {
            value = (value << 5) | (long)Alphabet.IndexOf(c, StringComparison.Ordinal);
        }
        return (value >> 10, (int)(value & 1023));
    }

    public static DateTimeOffset Timestamp(string tid) =>
        DateTimeOffset.UnixEpoch.AddTicks(Decode(tid).Microseconds * 10);
}

/// <summary>Thread-safe TID source; strictly increasing even within one microsecond or when the clock steps back.</summary>
public sealed class TidGenerator
{
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private long lastMicroseconds = -1;

    public TidGenerator(TimeProvider? timeProvider = null, int? clockId = null)
    {
        time = timeProvider ?? TimeProvider.System;
        ClockId = clockId ?? Random.Shared.Next(1024);
        ArgumentOutOfRangeException.ThrowIfNegative(ClockId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ClockId, 1023);
    }

    public int ClockId { get; }

    public string Next()
    {
        var microseconds = (time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        lock (gate)
        {
            if (microseconds <= lastMicroseconds)
            {
                microseconds = lastMicroseconds + 1;
            }
            lastMicroseconds = microseconds;
        }
        return Tid.Encode(microseconds, ClockId);
    }
}
