using System.Text.RegularExpressions;
using LiveHub.Calendar;

namespace LiveHub.Tests.Hosting;

/// <summary>
/// docker-compose.yml cannot be run here (no Docker), so its settings are read as text: the ones a deployment behind
/// a TLS proxy must set come from variables, with defaults the app accepts, and every variable is explained at the top.
/// </summary>
public sealed partial class DockerComposeTests
{
    private static readonly string[] Lines = File.ReadAllLines(Path.Combine(HostingOnSqlite.RepositoryRoot(), "docker-compose.yml"));

    [Fact]
    public void The_public_address_and_the_proxy_setting_come_from_variables_with_valid_defaults()
    {
        var environment = LiveHubEnvironment();

        var publicUrl = Variable(environment, "LiveHub__PublicBaseUrl");
        Assert.Equal("LIVEHUB_PUBLIC_URL", publicUrl.Name);
        Assert.True(PublicSiteOptions.IsValid(publicUrl.Default), $"'{publicUrl.Default}' is not a valid LiveHub:PublicBaseUrl.");
        Assert.False(string.IsNullOrWhiteSpace(publicUrl.Default), "Without a public address Bluesky posts get no link card.");

        var proxy = Variable(environment, "ASPNETCORE_FORWARDEDHEADERS_ENABLED");
        Assert.Equal("LIVEHUB_BEHIND_PROXY", proxy.Name);
        Assert.True(bool.TryParse(proxy.Default, out var enabled), $"'{proxy.Default}' is not a boolean.");
        // Trusting X-Forwarded-* by default would let any client spoof its address past the sign-in limit.
        Assert.False(enabled);
    }

    [Fact]
    public void Every_variable_the_file_reads_is_explained_in_its_header()
    {
        var header = string.Join('\n', Lines.TakeWhile(l => l.StartsWith('#')));
        var variables = Lines.SelectMany(l => VariablePattern().Matches(l)).Select(m => m.Groups["name"].Value).Distinct().ToList();
        Assert.NotEmpty(variables);
        Assert.All(variables, v => Assert.Contains(v, header, StringComparison.Ordinal));
    }

    /// <summary>key → value of the livehub service's environment block (the file's own two-space indentation).</summary>
    private static Dictionary<string, string> LiveHubEnvironment()
    {
        var service = Array.IndexOf(Lines, "  livehub:");
        Assert.True(service >= 0, "no livehub service");
        var start = Array.FindIndex(Lines, service, l => l == "    environment:");
        Assert.True(start >= 0, "the livehub service has no environment block");
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in Lines.Skip(start + 1).TakeWhile(l => l.StartsWith("      ", StringComparison.Ordinal)))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            environment[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        return environment;
    }

    private static (string Name, string Default) Variable(Dictionary<string, string> environment, string key)
    {
        Assert.True(environment.TryGetValue(key, out var value), $"{key} is not set for the livehub service.");
        var match = VariablePattern().Match(value);
        Assert.True(match.Success && match.Value == value, $"{key} is '{value}', not one ${{VARIABLE:-default}}.");
        return (match.Groups["name"].Value, match.Groups["default"].Value);
    }

    [GeneratedRegex(@"\$\{(?<name>[A-Z_][A-Z0-9_]*)(?::-(?<default>[^}]*))?\}")]
    private static partial Regex VariablePattern();
}
