using System.Net;
using LiveHub.Live;
using LiveHub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LiveHub.Tests.Live;

/// <summary>
/// The hub's per-address connection cap and join rate limits, over the wire with small limits (the test server
/// gives every connection the same, unknown address), and the default limits against a venue behind one NAT.
/// </summary>
public sealed class HubLimitsTests(HubLimitsTests.App app) : IClassFixture<HubLimitsTests.App>
{
    private const int Cap = 4;

    public sealed class App : SqliteApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Live:MaxConnectionsPerAddress"] = Cap.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Live:JoinsPerConnection"] = "3",
            // Hours, so that nothing refills while a test runs: the counts are exact.
            ["Live:JoinsPerConnectionWindow"] = "01:00:00",
            ["Live:JoinsPerAddress"] = "6",
            ["Live:JoinsPerAddressWindow"] = "01:00:00",
        };
    }

    [Fact]
    public async Task Connections_past_the_cap_are_closed_with_a_reason_and_a_freed_place_can_be_taken_again()
    {
        var limits = app.Services.GetRequiredService<LiveConnectionLimits>();
        var address = LiveConnectionLimits.AddressKey(null);
        await WaitForCountAsync(limits, address, 0);
        var held = new List<SignalRJsonClient>();
        for (var i = 0; i < Cap; i++)
        {
            held.Add(await LiveTestSupport.ConnectAsync(app));
        }

        await WaitForCountAsync(limits, address, Cap);
        await using (var refused = await LiveTestSupport.ConnectAsync(app))
        {
            var close = await refused.Closed.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Contains("Too many live connections", close.GetProperty("error").GetString(), StringComparison.Ordinal);
            Assert.False(close.TryGetProperty("allowReconnect", out var reconnect) && reconnect.GetBoolean());
        }

        Assert.Equal(Cap, limits.ConnectionCount(address));
        await held[0].DisposeAsync();
        await WaitForCountAsync(limits, address, Cap - 1);
        await using var again = await LiveTestSupport.ConnectAsync(app);
        await WaitForCountAsync(limits, address, Cap);
        Assert.False(again.Closed.IsCompleted);
        foreach (var client in held.Skip(1))
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_join_flood_is_refused_per_connection_and_per_address_with_a_hub_error()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        await WaitForCountAsync(app.Services.GetRequiredService<LiveConnectionLimits>(), LiveConnectionLimits.AddressKey(null), 0);
        await using var first = await LiveTestSupport.ConnectAsync(app);
        for (var i = 0; i < 3; i++)
        {
            await first.InvokeAsync("Join", live.StreamId.ToString(), 0);
        }

        var flood = await Assert.ThrowsAsync<InvalidOperationException>(() => first.InvokeAsync("Join", live.StreamId.ToString(), 0));
        Assert.Contains("Too many joins on this connection", flood.Message, StringComparison.Ordinal);

        // The address has 6 joins: 3 used above; a second connection gets the other 3, then the address is refused.
        await using var second = await LiveTestSupport.ConnectAsync(app);
        for (var i = 0; i < 3; i++)
        {
            await second.InvokeAsync("Join", live.StreamId.ToString(), 0);
        }

        await using var third = await LiveTestSupport.ConnectAsync(app);
        var byAddress = await Assert.ThrowsAsync<InvalidOperationException>(() => third.InvokeAsync("Join", live.StreamId.ToString(), 0));
        Assert.Contains("Too many joins from your network address", byAddress.Message, StringComparison.Ordinal);

        // Refused joins left the connections usable: pushes still arrive on the first.
        await live.PostAsync("Still live");
        Assert.Equal("Still live", (await first.NextAsync(LiveCoverageHub.ChangesMethod, TimeSpan.FromSeconds(10))).GetProperty("posts")[0].GetProperty("body").GetString());
    }

    [Fact]
    public void The_defaults_let_a_venue_behind_one_address_connect_rejoin_after_a_wifi_restart_and_switch_streams()
    {
        var clock = new FakeTimeProvider();
        var limits = new LiveConnectionLimits(Options.Create(new LiveOptions()), clock);
        var venue = LiveConnectionLimits.AddressKey(IPAddress.Parse("198.51.100.7"));

        // 1,000 attendees with two tabs each, all joining at once (the Wi-Fi came back).
        var budgets = Enumerable.Range(0, 2_000).Select(_ => limits.NewConnectionBudget()).ToList();
        Assert.All(budgets, _ => Assert.True(limits.TryOpen(venue)));
        Assert.All(budgets, budget => Assert.Null(limits.TryJoin(budget, venue)));

        // Someone flicks between sessions: a burst is fine, a flood is not, and a second later there is room again.
        var tab = budgets[0];
        for (var i = 1; i < 10; i++)
        {
            Assert.Null(limits.TryJoin(tab, venue));
        }

        Assert.NotNull(limits.TryJoin(tab, venue));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(limits.TryJoin(tab, venue));

        // The 2,001st connection from the one address is refused; another address is unaffected.
        Assert.False(limits.TryOpen(venue));
        Assert.True(limits.TryOpen(LiveConnectionLimits.AddressKey(IPAddress.Parse("203.0.113.9"))));
        limits.Close(venue);
        Assert.True(limits.TryOpen(venue));
    }

    [Fact]
    public void Addresses_are_counted_per_ipv4_address_and_per_ipv6_slash_64()
    {
        Assert.Equal("192.0.2.1", LiveConnectionLimits.AddressKey(IPAddress.Parse("::ffff:192.0.2.1")));
        Assert.Equal(LiveConnectionLimits.AddressKey(IPAddress.Parse("2001:db8:1:2::1")), LiveConnectionLimits.AddressKey(IPAddress.Parse("2001:db8:1:2:ffff::9")));
        Assert.NotEqual(LiveConnectionLimits.AddressKey(IPAddress.Parse("2001:db8:1:2::1")), LiveConnectionLimits.AddressKey(IPAddress.Parse("2001:db8:1:3::1")));
    }

    private static async Task WaitForCountAsync(LiveConnectionLimits limits, string address, int expected)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (limits.ConnectionCount(address) != expected)
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
