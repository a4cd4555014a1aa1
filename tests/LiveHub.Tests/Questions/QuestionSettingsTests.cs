using LiveHub.Tests.Reliability;

namespace LiveHub.Tests.Questions;

/// <summary>Questions' settings are checked on start: a poll faster than Bluesky's limits allow, or a backoff cap below the interval, stops the start.</summary>
public sealed class QuestionSettingsTests
{
    [Theory]
    [InlineData("Questions__PollInterval", "00:00:01", "Questions:PollInterval")]
    [InlineData("Questions__MaxBackoff", "00:00:10", "Questions:MaxBackoff")]
    [InlineData("Questions__WebQuestionsPerMinute", "0", "WebQuestionsPerMinute")]
    public async Task A_bad_questions_setting_stops_the_start_naming_it(string variable, string value, string setting)
    {
        var data = Directory.CreateTempSubdirectory("livehub-badsetting").FullName;
        var app = new LiveHubProcess(new Dictionary<string, string?> { ["Database__DataDirectory"] = data, [variable] = value });
        try
        {
            var (exitCode, standardError) = await app.RunToExitAsync(TimeSpan.FromSeconds(60));
            Assert.True(exitCode == SettingsCheck.ExitCode, $"exit code {exitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none: still running"}\n{app.Output}");
            var line = Assert.Single(standardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.Contains(setting, line, StringComparison.Ordinal);
        }
        finally
        {
            await app.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
    }
}
