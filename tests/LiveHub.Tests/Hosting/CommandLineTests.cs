using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Tests.Infrastructure;

namespace LiveHub.Tests.Hosting;

/// <summary>Runs the real app binary, as a newcomer would, against a fresh SQLite data folder.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public async Task Create_admin_then_sign_in_and_edit_an_event()
    {
        var data = Directory.CreateTempSubdirectory("livehub-cli").FullName;
        try
        {
            var (exitCode, output) = await RunAsync(data, "create-admin", "first.admin@example.org", extra: ["--name", "Hub Admin"]);
            Assert.True(exitCode == 0, output);
            Assert.Contains("first.admin@example.org is an admin", output, StringComparison.Ordinal);

            await using var app = new ExistingFolderApp(data);
            await app.InitializeAsync();
            var client = app.AnonymousClient();
            await client.UseAntiforgeryAsync();
            var signIn = await client.PostAsJsonAsync("/api/account/login", new { email = "first.admin@example.org", password = "a long admin password" });
            Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
            await client.UseAntiforgeryAsync();
            var me = await client.GetFromJsonAsync<JsonElement>("/api/account/me");
            Assert.Equal("Admin", me.GetProperty("roles")[0].GetString());
            Assert.Equal("Hub Admin", me.GetProperty("displayName").GetString());
            var created = await client.PostAsJsonAsync("/api/events", EventsTestData.Event("cli-event"));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Create_admin_refuses_a_bad_email_and_a_short_password()
    {
        var data = Directory.CreateTempSubdirectory("livehub-cli").FullName;
        try
        {
            var (badEmail, usage) = await RunAsync(data, "create-admin", "not-an-email");
            Assert.Equal(2, badEmail);
            Assert.Contains("Usage: create-admin", usage, StringComparison.Ordinal);
            var (shortPassword, output) = await RunAsync(data, "create-admin", "x@example.org", password: "short");
            Assert.Equal(1, shortPassword);
            Assert.Contains("at least 12 characters", output, StringComparison.Ordinal);
            var (emailAsName, refusal) = await RunAsync(data, "create-admin", "x@example.org", extra: ["--name", "x@example.org"]);
            Assert.Equal(2, emailAsName);
            Assert.Contains("must not be an email address", refusal, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string dataFolder, string command, string argument, string password = "a long admin password", string[]? extra = null)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = testOutput.Parent!.Name; // bin/<Configuration>/net10.0
        var root = HostingOnSqlite.RepositoryRoot();
        var appDll = Path.Combine(root, "src", "LiveHub", "bin", configuration, "net10.0", "LiveHub.dll");
        Assert.True(File.Exists(appDll), $"Build the app first: {appDll} is missing.");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.Combine(root, "src", "LiveHub"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            ArgumentList = { appDll, command, argument },
            Environment =
            {
                ["LIVEHUB_ADMIN_PASSWORD"] = password,
                ["Database__DataDirectory"] = dataFolder,
                ["Seeds__LoadWhenEmpty"] = "false",
                ["Seeds__Demo"] = "false",
                ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            },
        };
        foreach (var value in extra ?? [])
        {
            start.ArgumentList.Add(value);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private sealed class ExistingFolderApp(string folder) : SqliteApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = $"Data Source={Path.Combine(folder, "livehub.db")}",
        };
    }
}
