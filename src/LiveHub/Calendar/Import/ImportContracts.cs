namespace LiveHub.Calendar.Import;

/// <summary>
/// An import: either <see cref="Url"/> (https or webcal) or <see cref="Content"/> (the .ics file, base64) with its
/// <see cref="FileName"/>. <see cref="Publish"/> publishes newly created events (default: drafts).
/// On confirm, <see cref="ExpectedSha256"/> (from the preview) refuses a source that has changed since.
/// </summary>
public sealed record ImportRequest(string? Url, string? FileName, string? Content, bool? Publish, string? ExpectedSha256);

public static class ImportActions
{
    public const string Create = "create";
    public const string Update = "update";
    public const string Skip = "skip";
}

/// <summary>One VEVENT (a recurring series with its overrides counts as one) and what the import does with it.</summary>
/// <param name="Uid">The source UID; an override whose series is not in the file adds "#" and its original start.</param>
/// <param name="Action">create, update or skip.</param>
/// <param name="Reasons">Why it is skipped, what changes, or what was adjusted on the way in.</param>
/// <param name="Line">Line of the VEVENT in the file.</param>
public sealed record ImportItem(
    string? Uid,
    string? Title,
    string Action,
    IReadOnlyList<string> Reasons,
    int Line,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    string? Slug);

public sealed record ImportResponse(
    string Source,
    string Sha256,
    bool Applied,
    int Created,
    int Updated,
    int Skipped,
    IReadOnlyList<ImportItem> Items,
    IReadOnlyList<string> Warnings);
