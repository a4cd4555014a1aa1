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
/// Password guessing, beyond what AccountTests covers (five failures lock an account; the fourth attempt in a minute
/// is 429): the lockout holds on both sign-in endpoints and only for the attacked account, and the rate limit is
/// counted per client address across both endpoints.
/// </summary>
public sealed class SignInAbuseTests(SignInAbuseTests.ClientAddressApp app) : IClassFixture<SignInAbuseTests.ClientAddressApp>
{
    private const string AddressHeader = "X-Test-Client-Address";

    /// <summary>
    /// TestServer connections have no remote address, so every test client would share one limiter partition. Here
    /// the address comes from a test-only header, as it would from the socket behind Kestrel.
    /// </summary>
    public sealed class ClientAddressApp : SqliteApp
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

    private HttpClient Client(string address, bool cookies = true)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = cookies });
        client.DefaultRequestHeaders.Add(AddressHeader, address);
        return client;
    }

    [Fact]
    public async Task A_locked_account_stays_locked_on_both_endpoints_while_other_accounts_still_sign_in()
    {
        var victim = await app.CreateStaffAsync(StaffRoles.Admin);
        var bystander = await app.CreateStaffAsync(StaffRoles.Editor);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            // A fresh address per guess, so the rate limit does not hide the lockout; guesses alternate endpoints.
            var client = Client($"192.0.2.{10 + i}");
            await client.UseAntiforgeryAsync();
            var url = i % 2 == 0 ? "/api/account/login" : "/api/account/token";
            statuses.Add((await client.PostAsJsonAsync(url, new { email = victim.Email, password = $"guess number {i}" })).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, (HttpStatusCode)423], statuses);

        var fresh = Client("192.0.2.50");
        await fresh.UseAntiforgeryAsync();
        await (await fresh.PostAsJsonAsync("/api/account/token", new { email = victim.Email, password = LiveHubApp.Password })).AssertProblemAsync((HttpStatusCode)423);
        var cookieAttempt = await fresh.PostAsJsonAsync("/api/account/login", new { email = victim.Email, password = LiveHubApp.Password });
        await cookieAttempt.AssertProblemAsync((HttpStatusCode)423);
        Assert.False(cookieAttempt.Headers.Contains("Set-Cookie") && cookieAttempt.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("livehub.staff=", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await fresh.GetAsync("/api/account/me")).StatusCode);

        var other = Client("192.0.2.51", cookies: false);
        Assert.Equal(HttpStatusCode.OK, (await other.PostAsJsonAsync("/api/account/token", new { email = bystander.Email, password = LiveHubApp.Password })).StatusCode);
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
