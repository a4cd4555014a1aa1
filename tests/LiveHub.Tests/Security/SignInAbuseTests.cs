using System.Net;
using System.Net.Http.Json;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace LiveHub.Tests.Security;

/// <summary>
/// Password guessing, beyond what AccountTests covers: no number of guesses locks an account (so nobody can lock the
/// comms team out before a conference), and the rate limit is counted per client address across both endpoints.
/// </summary>
public sealed class SignInAbuseTests(SignInAbuseTests.ClientAddressApp app) : IClassFixture<SignInAbuseTests.ClientAddressApp>
{
    private const string AddressHeader = "X-Test-Client-Address";

    /// <summary>
    /// TestServer connections have no remote address, so every test client would share one limiter partition. Here
    /// the address comes from a test-only header, as it would from the socket behind Kestrel.
    /// </summary>
    public class ClientAddressApp : SqliteApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["SignIn:AttemptsPerMinute"] = "4" };

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter, ClientAddressFromHeader>());
        }

        private sealed class ClientAddressFromHeader : IStartupFilter
        {
            public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
            {
                app.Use(async (context, nextMiddleware) =>
                {
                    if (IPAddress.TryParse(context.Request.Headers[AddressHeader].ToString(), out var address))
                    {
                        context.Connection.RemoteIpAddress = address;
                    }

                    await nextMiddleware(context);
                });
                next(app);
            };
        }
    }

    internal static HttpClient Client(LiveHubApp app, string address, bool cookies = true)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = cookies });
        client.DefaultRequestHeaders.Add(AddressHeader, address);
        return client;
    }

    private HttpClient Client(string address, bool cookies = true)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = cookies });
        client.DefaultRequestHeaders.Add(AddressHeader, address);
        return client;
    }

    [Fact]
    public async Task Guesses_from_many_addresses_never_lock_the_account_out_for_its_owner()
    {
        var victim = await app.CreateStaffAsync(StaffRoles.Admin);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            // A fresh address per guess, so neither limit applies; guesses alternate endpoints.
            var client = Client($"192.0.2.{10 + i}");
            await client.UseAntiforgeryAsync();
            var url = i % 2 == 0 ? "/api/account/login" : "/api/account/token";
            statuses.Add((await client.PostAsJsonAsync(url, new { email = victim.Email, password = $"guess number {i}" })).StatusCode);
        }

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.Unauthorized, status));

        var owner = Client("192.0.2.50");
        await owner.UseAntiforgeryAsync();
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsJsonAsync("/api/account/login", new { email = victim.Email, password = LiveHubApp.Password })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync("/api/account/me")).StatusCode);
        var script = Client("192.0.2.51", cookies: false);
        Assert.Equal(HttpStatusCode.OK, (await script.PostAsJsonAsync("/api/account/token", new { email = victim.Email, password = LiveHubApp.Password })).StatusCode);
    }

    [Fact]
    public async Task The_rate_limit_counts_per_client_address_across_both_sign_in_endpoints()
    {
        var user = await app.CreateStaffAsync(StaffRoles.Editor);
        var attacker = Client("198.51.100.7");
        await attacker.UseAntiforgeryAsync();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            var url = i % 2 == 0 ? "/api/account/token" : "/api/account/login";
            // The first four guesses go to unknown accounts, the rate-limited ones at the user's.
            var email = i < 4 ? $"nobody-{i}@example.org" : user.Email;
            statuses.Add((await attacker.PostAsJsonAsync(url, new { email, password = "wrong wrong wrong" })).StatusCode);
        }

        // Four attempts a minute (this fixture's setting), whichever endpoint they use.
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        await (await attacker.PostAsJsonAsync("/api/account/token", new { email = user.Email, password = LiveHubApp.Password })).AssertProblemAsync(HttpStatusCode.TooManyRequests);

        // Another address is not held back by the attacker's limit.
        var colleague = Client("198.51.100.8", cookies: false);
        Assert.Equal(HttpStatusCode.OK, (await colleague.PostAsJsonAsync("/api/account/token", new { email = user.Email, password = LiveHubApp.Password })).StatusCode);

        // A rate-limited guess is not counted against the account: the user is not locked out by the attacker's flood.
        var lockout = await app.WithDbResultAsync(async db => (await db.Users.FindAsync(user.Id))!.AccessFailedCount);
        Assert.Equal(0, lockout);
    }
}

internal static class LiveHubAppResultExtensions
{
    public static async Task<T> WithDbResultAsync<T>(this LiveHubApp app, Func<LiveHub.Data.LiveHubDbContext, Task<T>> action)
    {
        var result = default(T)!;
        await app.WithDbAsync(async db => result = await action(db));
        return result;
    }
}

/// <summary>
/// The sign-in throttle: an address that keeps guessing waits longer and longer (Retry-After), its right password
/// included, while the account's owner elsewhere is not slowed; an unknown account costs a password hash like a
/// known one, so its answer time does not reveal which accounts exist.
/// </summary>
public sealed class SignInThrottleApiTests(SignInThrottleApiTests.ThrottleApp app) : IClassFixture<SignInThrottleApiTests.ThrottleApp>
{
    public sealed class ThrottleApp : SignInAbuseTests.ClientAddressApp
    {
        public ShiftedClock Clock { get; } = new();

        public CountingPasswordHasher Hasher { get; } = new();

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["SignIn:AttemptsPerMinute"] = "1000",
            ["SignIn:FreeFailuresPerAccountAndAddress"] = "2",
            ["SignIn:FreeFailuresPerAddress"] = "4",
        };

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services =>
            {
                services.AddSingleton<TimeProvider>(Clock);
                services.AddSingleton<Microsoft.AspNetCore.Identity.IPasswordHasher<StaffUser>>(Hasher);
            });
        }
    }

    /// <summary>System time plus an offset the test moves forward.</summary>
    public sealed class ShiftedClock : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
    }

    public sealed class CountingPasswordHasher : Microsoft.AspNetCore.Identity.IPasswordHasher<StaffUser>
    {
        private readonly Microsoft.AspNetCore.Identity.PasswordHasher<StaffUser> _inner = new();
        private int _verifications;

        public int Verifications => Volatile.Read(ref _verifications);

        public string HashPassword(StaffUser user, string password) => _inner.HashPassword(user, password);

        public Microsoft.AspNetCore.Identity.PasswordVerificationResult VerifyHashedPassword(StaffUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verifications);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }

    [Fact]
    public async Task An_address_that_keeps_guessing_waits_longer_each_time_while_the_owner_elsewhere_signs_in()
    {
        var victim = await app.CreateStaffAsync(StaffRoles.Editor);
        var attacker = SignInAbuseTests.Client(app, "203.0.113.9", cookies: false);
        async Task<HttpResponseMessage> Guess(string password = "wrong wrong wrong") =>
            await attacker.PostAsJsonAsync("/api/account/token", new { email = victim.Email, password });

        Assert.Equal(HttpStatusCode.Unauthorized, (await Guess()).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Guess()).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Guess()).StatusCode);

        // Three failures, two free: the next attempt waits 1 s, even with the right password.
        var held = await Guess(LiveHubApp.Password);
        await held.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal(TimeSpan.FromSeconds(1), held.Headers.RetryAfter?.Delta);

        var owner = SignInAbuseTests.Client(app, "198.51.100.20", cookies: false);
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsJsonAsync("/api/account/token", new { email = victim.Email, password = LiveHubApp.Password })).StatusCode);

        app.Clock.Offset += TimeSpan.FromSeconds(1);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Guess()).StatusCode);
        var longer = await Guess();
        await longer.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal(TimeSpan.FromSeconds(2), longer.Headers.RetryAfter?.Delta);

        app.Clock.Offset += TimeSpan.FromSeconds(2);
        Assert.Equal(HttpStatusCode.OK, (await Guess(LiveHubApp.Password)).StatusCode);
        Assert.Equal(0, await app.WithDbResultAsync(async db => (await db.Users.FindAsync(victim.Id))!.AccessFailedCount));
    }

    [Fact]
    public async Task An_unknown_account_costs_a_password_hash_like_a_known_one()
    {
        var client = SignInAbuseTests.Client(app, "203.0.113.30", cookies: false);
        var before = app.Hasher.Verifications;
        await (await client.PostAsJsonAsync("/api/account/token", new { email = $"nobody-{Guid.NewGuid():N}@example.org", password = "whatever whatever" }))
            .AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(before + 1, app.Hasher.Verifications);
    }
}
