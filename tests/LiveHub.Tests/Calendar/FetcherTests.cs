using System.Net;
using LiveHub.Calendar;
using LiveHub.Calendar.Import;
using Microsoft.Extensions.Options;

namespace LiveHub.Tests.Calendar;

/// <summary>The fetcher with production settings: https only, public addresses only (checked after DNS).</summary>
public sealed class FetcherTests
{
    private static IcsFetcher Fetcher() => new(Options.Create(new CalendarOptions()));

    [Theory]
    [InlineData("http://example.org/a.ics", "https://")]
    [InlineData("https://user:secret@example.org/a.ics", "user name")]
    [InlineData("https://127.0.0.1/a.ics", "refused")]
    [InlineData("not a url", "absolute")]
    public void Url_form_is_checked_before_any_traffic(string url, string reason)
    {
        using var fetcher = Fetcher();
        Assert.Contains(reason, fetcher.CheckUrl(url, out _));
    }

    [Fact]
    public void Webcal_is_read_as_https()
    {
        using var fetcher = Fetcher();
        Assert.Null(fetcher.CheckUrl("webcal://calendar.example.org/feed.ics", out var uri));
        Assert.Equal("https://calendar.example.org/feed.ics", uri!.AbsoluteUri);
    }

    [Fact]
    public async Task A_host_name_resolving_to_loopback_is_refused_at_connect_time()
    {
        using var fetcher = Fetcher();
        Assert.Null(fetcher.CheckUrl("https://localhost:1/a.ics", out var uri));
        var refused = await Assert.ThrowsAsync<IcsFetchException>(() => fetcher.FetchAsync(uri!, CancellationToken.None));
        Assert.Contains("resolves to", refused.Message);
        Assert.Equal(400, refused.StatusCode);
    }

    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("2606:4700:4700::1111", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.0.0.1", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("192.168.0.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.100.100.200", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("::1", false)]
    [InlineData("::", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fc00::1", false)]
    [InlineData("fd12:3456::1", false)]
    [InlineData("ff02::1", false)]
    [InlineData("::ffff:192.168.0.1", false)]
    [InlineData("64:ff9b::a00:1", false)]
    [InlineData("2002:c0a8:0001::1", false)]
    [InlineData("2001:db8::1", false)]
    public void Address_policy(string address, bool allowed)
    {
        Assert.Equal(allowed, AddressPolicy.IsPublic(IPAddress.Parse(address)));
    }
}
