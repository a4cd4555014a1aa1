using LiveHub.Tests.Reliability;

namespace LiveHub.Tests.Hosting;

/// <summary>The real process started with one bad setting: it says which, in one line, and exits with EX_CONFIG.</summary>
public sealed class BadSettingsTests
{
    [Theory]
    // A rule of the options class (DataAnnotations), an IValidatableObject rule, a .Validate rule, and values the
    // configuration binder cannot convert, read at start and while the services are registered.
    [InlineData("Calendar__KeepCancelledDays", "-1", "Calendar:KeepCancelledDays")]
    [InlineData("CrossPosting__PublicBaseUrl", "ftp://example.org", "CrossPosting:PublicBaseUrl")]
    [InlineData("Live__SlowClientTimeout", "-00:00:01", "Live:SlowClientTimeout")]
    [InlineData("Live__SlowClientTimeout", "soon", "Live:SlowClientTimeout")]
    [InlineData("Database__Provider", "Oracle", "Database:Provider")]
    [InlineData("Embed__FrameAncestors", "https://blog.example.org; script-src *", "Embed:FrameAncestors")]
    public async Task A_bad_setting_stops_the_start_with_one_line_naming_it_and_exit_code_78(string variable, string value, string setting)
    {
        var data = Directory.CreateTempSubdirectory("livehub-badsetting").FullName;
        var app = new LiveHubProcess(new Dictionary<string, string?> { ["Database__DataDirectory"] = data, [variable] = value });
        try
        {
            var (exitCode, standardError) = await app.RunToExitAsync(TimeSpan.FromSeconds(60));

            Assert.True(exitCode == SettingsCheck.ExitCode, $"exit code {exitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none: still running"}\n{app.Output}");
            var line = Assert.Single(standardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.Contains(setting, line, StringComparison.Ordinal);
            Assert.StartsWith("LiveHub cannot start:", line, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", app.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", app.Output, StringComparison.Ordinal);
        }
        finally
        {
            await app.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
    }
}
