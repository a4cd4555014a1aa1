using System.Net;
using LiveHub.Live;
using LiveHub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
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
    public async Task Connections_past_the_cap_are_refused_with_429_and_a_freed_place_can_be_taken_again()
    {
        var limits = app.Services.GetRequiredService<LiveConnectionLimits>();
        var address = LiveConnectionLimits.AddressKey(null);
        await WaitForCountAsync(limits, address, 0);
        var held = new List<LiveClient>();
        try
        {
            for (var i = 0; i < Cap; i++)
            {
                held.Add(await LiveClient.ConnectAsync(app));
            }

            await WaitForCountAsync(limits, address, Cap);

            // Browsers negotiate first, then open the WebSocket: both are refused while the address is full.
            var negotiate = await app.AnonymousClient().PostAsync("/hubs/live/negotiate?negotiateVersion=1", null);
            var problem = await negotiate.AssertProblemAsync((HttpStatusCode)429);
            Assert.Contains("Too many live connections", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.NotNull(negotiate.Headers.RetryAfter);
            var negotiated = await Assert.ThrowsAsync<HttpRequestException>(() => LiveClient.ConnectAsync(app));
            Assert.Equal((HttpStatusCode)429, negotiated.StatusCode);
            // A client that skips negotiation (as the .NET client may) is refused at the upgrade.
            var upgrade = await Assert.ThrowsAsync<InvalidOperationException>(() => LiveClient.ConnectAsync(app, negotiate: false));
            Assert.Contains("status code: 429", upgrade.Message, StringComparison.Ordinal);
            Assert.Equal(Cap, limits.ConnectionCount(address));

            Assert.All(held, client => Assert.True(client.IsConnected && !client.Closed.IsCompleted));

            await held[0].DisposeAsync();
            held.RemoveAt(0);
            await WaitForCountAsync(limits, address, Cap - 1);
            Assert.Equal(HttpStatusCode.OK, (await app.AnonymousClient().PostAsync("/hubs/live/negotiate?negotiateVersion=1", null)).StatusCode);
            held.Add(await LiveClient.ConnectAsync(app));
            await WaitForCountAsync(limits, address, Cap);
            Assert.True(held[^1].IsConnected && !held[^1].Closed.IsCompleted);
        }
        finally
        {
            foreach (var client in held)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>The only test here that joins: the address's join budget is shared by the whole fixture.</summary>
    [Fact]
    public async Task A_join_flood_is_refused_per_connection_and_per_address_with_a_hub_error()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        await WaitForCountAsync(app.Services.GetRequiredService<LiveConnectionLimits>(), LiveConnectionLimits.AddressKey(null), 0);
        await using var first = await LiveClient.ConnectAsync(app);
        for (var i = 0; i < 3; i++)
        {
            await first.JoinAsync(live.StreamId.ToString(), 0);
        }

        var flood = await Assert.ThrowsAsync<HubException>(() => first.JoinAsync(live.StreamId.ToString(), 0));
        Assert.Contains("Too many joins on this connection", flood.Message, StringComparison.Ordinal);

        // The address has 6 joins: 3 used above; a second connection gets the other 3, then the address is refused.
        await using var second = await LiveClient.ConnectAsync(app);
        for (var i = 0; i < 3; i++)
        {
            await second.JoinAsync(live.StreamId.ToString(), 0);
        }

        await using var third = await LiveClient.ConnectAsync(app);
        var byAddress = await Assert.ThrowsAsync<HubException>(() => third.JoinAsync(live.StreamId.ToString(), 0));
        Assert.Contains("Too many joins from your network address", byAddress.Message, StringComparison.Ordinal);

        // A connection that carries on after being refused is closed (it has been refused once already).
        for (var i = 1; i < LiveCoverageHub.RefusedJoinsBeforeClose - 1; i++)
        {
            await Assert.ThrowsAsync<HubException>(() => third.JoinAsync(live.StreamId.ToString(), 0));
            Assert.True(third.IsConnected);
        }

        // The last refusal closes the connection: its answer may be lost with it.
        await Assert.ThrowsAnyAsync<Exception>(() => third.JoinAsync(live.StreamId.ToString(), 0));

        await third.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(third.IsConnected);

        // Refused joins left the other connections usable: pushes still arrive on the first.
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
