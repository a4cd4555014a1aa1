using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace LiveHub;

/// <summary>
/// Validates the options before anything starts, so that a bad setting stops LiveHub with one line naming it and the
/// exit code <see cref="ExitCode"/>, instead of the host's error log and an unhandled exception's stack trace (and an
/// abort, exit code 134).
/// </summary>
public static partial class SettingsCheck
{
    /// <summary>EX_CONFIG from sysexits.h: a configuration error. systemd and Docker show it as a failed start.</summary>
    public const int ExitCode = 78;

    /// <summary>
    /// Settings read while the services are registered (the database provider, for one) fail before
    /// <see cref="CheckSettings"/> can run: a setting the binder cannot convert ends the process here, with the same
    /// one line and exit code, before the runtime prints the stack trace and aborts.
    /// </summary>
    public static void ExitOnUnreadableSettings()
    {
        // Once per process: the tests run Program's entry point for every app they build.
        if (Interlocked.Exchange(ref _handlerAdded, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            if (e.ExceptionObject is Exception ex && Reasons(ex) is { Count: > 0 } reasons)
            {
                Explain(reasons);
                Environment.Exit(ExitCode);
            }
        };
    }

    private static int _handlerAdded;

    /// <summary>
    /// Runs the options' start-up validation before anything starts. A bad setting throws out of the entry point:
    /// in a process, <see cref="ExitOnUnreadableSettings"/> turns that into one line and <see cref="ExitCode"/>; under
    /// WebApplicationFactory the exception reaches the test. (Catching it here and returning would leave the factory
    /// a host whose failed validation it never sees.)
    /// </summary>
    public static void CheckSettings(this WebApplication app) => app.Services.GetService<IStartupValidator>()?.Validate();

    private static void Explain(IEnumerable<string> reasons) =>
        Console.Error.WriteLine($"LiveHub cannot start: {string.Join(" ", reasons)} Fix the setting (appsettings.json, an environment variable Section__Key, or --Section:Key=value) and start again.");

    /// <summary>Each distinct reason, one sentence each; empty if the exception is not about settings.</summary>
    internal static List<string> Reasons(Exception exception)
    {
        var reasons = new List<string>();
        Collect(exception, reasons);
        return [.. reasons.Distinct(StringComparer.Ordinal)];
    }

    private static void Collect(Exception exception, List<string> reasons)
    {
        switch (exception)
        {
            case AggregateException aggregate:
                foreach (var inner in aggregate.InnerExceptions)
                {
                    Collect(inner, reasons);
                }

                break;
            case OptionsValidationException validation:
                reasons.AddRange(validation.Failures.Select(Sentence));
                break;
            // The binder's "Failed to convert configuration value 'x' at 'Section:Key' to type '...'." names the setting.
            case InvalidOperationException binding when binding.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal):
                reasons.Add(Sentence(binding.Message));
                break;
        }
    }

    // "DataAnnotation validation failed for 'CalendarOptions' members: 'PastDays' with the error: 'The field PastDays
    // must be between 1 and 3650.'." becomes "Calendar:PastDays: The field PastDays must be between 1 and 3650.": the
    // options class's Section names the setting. Our own messages already start with it ("CrossPosting:PublicBaseUrl …").
    private static string Sentence(string failure)
    {
        var sentence = failure.Trim();
        if (DataAnnotationFailure().Match(failure) is { Success: true } match)
        {
            sentence = match.Groups["error"].Value.Trim();
            var members = match.Groups["members"].Value;
            if (members.Length > 0 && !sentence.Contains(':', StringComparison.Ordinal))
            {
                sentence = $"{Setting(match.Groups["type"].Value, members)}: {sentence}";
            }
        }

        return sentence.EndsWith('.') ? sentence : sentence + ".";
    }

    private static string Setting(string optionsType, string members)
    {
        var type = typeof(SettingsCheck).Assembly.GetTypes().FirstOrDefault(t => t.Name == optionsType);
        var section = type?.GetField("Section", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)?.GetRawConstantValue() as string;
        return string.Join(", ", members.Split(',', StringSplitOptions.TrimEntries).Select(m => $"{section ?? optionsType}:{m}"));
    }

    [GeneratedRegex(@"^DataAnnotation validation failed for '(?<type>[^']*)' members: '(?<members>[^']*)' with the error: '(?<error>.*)'\.?$", RegexOptions.Singleline)]
    private static partial Regex DataAnnotationFailure();
}
