using LiveHub.Data;
using LiveHub.Seeding;
using LiveHub.Staff;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace LiveHub;

/// <summary>
/// One-off commands run instead of (or before) serving:
/// <c>create-admin &lt;email&gt;</c> and <c>--seed</c>.
/// </summary>
public static class CommandLine
{
    public const string SeedFlag = "--seed";

    /// <summary>Runs a command if the arguments name one; returns its exit code, or null to start the web server.</summary>
    public static async Task<int?> RunAsync(WebApplication app, string[] args)
    {
        if (args.Length > 0 && args[0] == "create-admin")
        {
            return await CreateAdminAsync(app, args);
        }

        if (args.Contains(SeedFlag))
        {
            await PrepareDatabaseAsync(app);
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<SeedLoader>().ReloadAsync(CancellationToken.None);
            Console.Out.WriteLine("Seed data reloaded.");
        }

        return null;
    }

    private static async Task<int> CreateAdminAsync(WebApplication app, string[] args)
    {
        if (args.Length < 2 || !System.Net.Mail.MailAddress.TryCreate(args[1], out _))
        {
            await Console.Error.WriteLineAsync("Usage: create-admin <email> [--name \"Public name\"]   (password from LIVEHUB_ADMIN_PASSWORD, or typed at the prompt; name from --name, LIVEHUB_ADMIN_NAME or the prompt)");
            return 2;
        }

        var password = Environment.GetEnvironmentVariable("LIVEHUB_ADMIN_PASSWORD");
        if (string.IsNullOrEmpty(password))
        {
            password = ReadPassword($"Password for {args[1]} (at least 12 characters): ");
            var again = ReadPassword("Repeat the password: ");
            if (password != again)
            {
                await Console.Error.WriteLineAsync("The passwords do not match.");
                return 1;
            }
        }

        var nameAt = Array.IndexOf(args, "--name");
        var displayName = nameAt > 0 && nameAt + 1 < args.Length ? args[nameAt + 1] : Environment.GetEnvironmentVariable("LIVEHUB_ADMIN_NAME");
        if (string.IsNullOrWhiteSpace(displayName) && !Console.IsInputRedirected)
        {
            Console.Out.Write($"Public name shown on live posts [{StaffNames.DefaultDisplayName}]: ");
            displayName = Console.ReadLine();
        }

        if (StaffNames.LooksLikeEmail(displayName))
        {
            await Console.Error.WriteLineAsync("The public name is shown on live posts and must not be an email address.");
            return 2;
        }

        await PrepareDatabaseAsync(app);
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var result = await CreateAdmin.CreateAsync(users, scope.ServiceProvider.GetRequiredService<TimeProvider>(), args[1], password,
            string.IsNullOrWhiteSpace(displayName) ? null : displayName.Trim());
        if (!result.Succeeded)
        {
            await Console.Error.WriteLineAsync($"Could not create the admin: {string.Join(" ", result.Errors.Select(e => e.Description))}");
            return 1;
        }

        await Console.Out.WriteLineAsync($"{args[1]} is an admin. Sign in at /staff/login.");
        return 0;
    }

    /// <summary>Migrates and creates the roles without starting the web server.</summary>
    private static async Task PrepareDatabaseAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await DatabaseMigrator.ApplyAsync(scope.ServiceProvider.GetRequiredService<LiveHubDbContext>(),
            scope.ServiceProvider.GetRequiredService<ILogger<DatabaseMigrator>>(), CancellationToken.None);
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        await StaffBootstrapper.EnsureRolesAsync(roles);
    }

    private static string ReadPassword(string prompt)
    {
        Console.Write(prompt);
        if (Console.IsInputRedirected)
        {
            return Console.ReadLine() ?? "";
        }

        var password = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                Console.WriteLine();
                return password.ToString();
            }

            if (key.Key == ConsoleKey.Backspace && password.Length > 0)
            {
                password.Length--;
            }
            else if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }
    }
}
