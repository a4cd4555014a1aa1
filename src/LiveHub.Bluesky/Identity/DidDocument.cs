using System.Text.Json;

namespace LiveHub.Bluesky;

public sealed record DidService(string Id, string Type, string ServiceEndpoint);

public sealed record DidDocument(string Id, IReadOnlyList<string> AlsoKnownAs, IReadOnlyList<DidService> Services)
{
    public const string PdsServiceIdSuffix = "#atproto_pds";
    public const string PdsServiceType = "AtprotoPersonalDataServer";

    /// <summary>The first <c>#atproto_pds</c> service of the PDS type; never simply the first service listed.</summary>
    public string? PdsEndpoint => Services
        .FirstOrDefault(s => s.Id.EndsWith(PdsServiceIdSuffix, StringComparison.Ordinal) && s.Type == PdsServiceType)
        ?.ServiceEndpoint;

    /// <summary>The handle claimed by the document (<c>at://handle</c> in alsoKnownAs), if any.</summary>
    public string? Handle => AlsoKnownAs
        .FirstOrDefault(a => a.StartsWith("at://", StringComparison.Ordinal))?["at://".Length..];

    public static DidDocument Parse(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("A DID document must be a JSON object.");
        }
        var id = element.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String
            ? idElement.GetString()!
            : throw new JsonException("A DID document needs an id.");
        var aliases = new List<string>();
        if (element.TryGetProperty("alsoKnownAs", out var aka) && aka.ValueKind == JsonValueKind.Array)
        {
            aliases.AddRange(aka.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!));
        }
        var services = new List<DidService>();
        if (element.TryGetProperty("service", out var serviceArray) && serviceArray.ValueKind == JsonValueKind.Array)
        {
            foreach (var service in serviceArray.EnumerateArray())
            {
                // serviceEndpoint may also be a map or set in the DID spec; atproto only uses plain URL strings.
                if (service.ValueKind == JsonValueKind.Object
                    && service.TryGetProperty("id", out var sid) && sid.ValueKind == JsonValueKind.String
                    && service.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                    && service.TryGetProperty("serviceEndpoint", out var endpoint) && endpoint.ValueKind == JsonValueKind.String)
                {
                    services.Add(new DidService(sid.GetString()!, type.GetString()!, endpoint.GetString()!));
                }
            }
        }
        return new DidDocument(id, aliases, services);
    }
}
