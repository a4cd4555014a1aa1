using System.Net;
using System.Net.Sockets;

namespace LiveHub.Calendar.Import;

/// <summary>
/// Which addresses an import may connect to: public unicast only, unless configured otherwise for tests.
/// Loopback, private (RFC 1918), carrier-grade NAT, link-local (cloud metadata lives there), unique-local,
/// site-local, multicast, documentation and reserved ranges are refused, also when embedded in IPv6
/// (IPv4-mapped, NAT64, 6to4).
/// </summary>
internal sealed class AddressPolicy(CalendarImportOptions options)
{
    private readonly HashSet<IPAddress> _allowed = [.. options.AllowAddresses.Select(a => Normalise(IPAddress.Parse(a)))];

    public bool IsAllowed(IPAddress address) =>
        options.AllowPrivateAddresses || _allowed.Contains(Normalise(address)) || IsPublic(address);

    public static bool IsPublic(IPAddress address)
    {
        address = Normalise(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return IsPublicV4(address.GetAddressBytes());
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        var b = address.GetAddressBytes();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.IPv6None) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal
            || address.IsIPv6UniqueLocal || address.IsIPv6Multicast)
        {
            return false;
        }

        // IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address that decides.
        if (b.Take(12).All(x => x == 0))
        {
            return IsPublicV4(b[12..16]);
        }

        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b)
        {
            return IsPublicV4(b[12..16]);
        }

        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return IsPublicV4(b[2..6]);
        }

        // 2001:db8::/32 documentation, 100::/64 discard.
        if ((b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) || (b[0] == 0x01 && b[1] == 0x00 && b.Skip(2).Take(6).All(x => x == 0)))
        {
            return false;
        }

        // Only the global unicast block 2000::/3 is routable on the public internet.
        return (b[0] & 0xe0) == 0x20;
    }

    private static bool IsPublicV4(byte[] b) => !(
        b[0] == 0                                         // 0.0.0.0/8 "this network"
        || b[0] == 10                                     // 10/8 private
        || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)     // 100.64/10 carrier-grade NAT
        || b[0] == 127                                    // loopback
        || (b[0] == 169 && b[1] == 254)                   // link-local, cloud metadata
        || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)      // 172.16/12 private
        || (b[0] == 192 && b[1] == 0 && b[2] == 0)        // 192.0.0/24 IETF protocol assignments
        || (b[0] == 192 && b[1] == 0 && b[2] == 2)        // TEST-NET-1
        || (b[0] == 192 && b[1] == 88 && b[2] == 99)      // 6to4 relay anycast
        || (b[0] == 192 && b[1] == 168)                   // 192.168/16 private
        || (b[0] == 198 && (b[1] == 18 || b[1] == 19))    // benchmarking
        || (b[0] == 198 && b[1] == 51 && b[2] == 100)     // TEST-NET-2
        || (b[0] == 203 && b[1] == 0 && b[2] == 113)      // TEST-NET-3
        || b[0] >= 224);                                  // multicast, reserved, broadcast

    private static IPAddress Normalise(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
