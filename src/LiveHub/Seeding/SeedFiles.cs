using System.Text.Json;
using System.Text.Json.Serialization;
using LiveHub.Events;

namespace LiveHub.Seeding;

public sealed record SeedSpeaker(
    string Key, string Name, string? Role, string? Affiliation, string? BlueskyHandle, string? Bio,
    string? Slug = null, string? PhotoUrl = null, string? PhotoAltText = null, IReadOnlyList<string>? Links = null);

public sealed record SeedSession(
    string Key, string Title, string? Description, string StartsAt, string EndsAt, string? Room, string? Track,
    string? Chair, IReadOnlyList<string>? Speakers, EventStatus? Status, CoverageState? Coverage);

public sealed record SeedEvent(
    string Slug, string Title, string? Summary, string? Description, string StartsAt, string EndsAt, string TimeZone,
    VenueDto? Venue, string? OnlineUrl, EventStatus? Status, IReadOnlyList<string>? Tags, string? Organiser, string? ImageUrl,
    bool? IsPublished, IReadOnlyList<SeedSession>? Sessions);

public static class SeedFiles
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        ReadCommentHandling = JsonCommentHandling.Skip,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static async Task<T> ReadAsync<T>(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(stream, Json, cancellationToken)
                ?? throw new InvalidDataException($"{path} is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }
}
