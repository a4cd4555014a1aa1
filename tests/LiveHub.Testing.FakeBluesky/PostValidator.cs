using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace LiveHub.Testing.FakeBluesky;

internal sealed record XrpcError(int Status, string Error, string Message);

/// <summary>The app.bsky.feed.post lexicon checks of the reference PDS, with its error messages.</summary>
internal static partial class PostValidator
{
    private const string Prefix = "Invalid app.bsky.feed.post record: ";

    public static XrpcError? Validate(JsonObject record, Func<string, (string MimeType, long Size)?> findBlob)
    {
        try
        {
            return ValidateCore(record, findBlob);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or JsonException)
        {
            return Invalid($"Invalid record shape: {ex.Message}");
        }
    }

    private static XrpcError? ValidateCore(JsonObject record, Func<string, (string MimeType, long Size)?> findBlob)
    {
        if (record["text"] is not JsonValue textNode || !textNode.TryGetValue<string>(out var text))
        {
            return Invalid($"{Prefix}Record must have the property \"text\"");
        }
        var error = CheckString(text, 3000, 300, "$.record.text");
        if (error is not null)
        {
            return error;
        }
        if (record["createdAt"] is not JsonValue createdNode || !createdNode.TryGetValue<string>(out var createdAt))
        {
            return Invalid($"{Prefix}Record must have the property \"createdAt\"");
        }
        if (!DateTimePattern().IsMatch(createdAt)
            || !DateTimeOffset.TryParse(createdAt, CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            return Invalid($"{Prefix}Invalid datetime at $.record.createdAt");
        }
        if (record["langs"] is JsonArray langs)
        {
            if (langs.Count > 3)
            {
                return Invalid($"{Prefix}array too big (maximum 3, got {langs.Count}) at $.record.langs");
            }
            foreach (var lang in langs)
            {
                var value = lang?.GetValue<string>() ?? "";
                if (!LanguagePattern().IsMatch(value))
                {
                    return Invalid($"{Prefix}Invalid language (got \"{value}\") at $.record.langs");
                }
            }
        }
        if (record["reply"] is JsonObject reply)
        {
            foreach (var key in new[] { "root", "parent" })
            {
                if (reply[key] is not JsonObject reference)
                {
                    return Invalid($"{Prefix}Missing required key \"{key}\" at $.record.reply");
                }
                if (CheckStrongRef(reference, $"$.record.reply.{key}") is { } referenceError)
                {
                    return referenceError;
                }
            }
        }
        if (record["facets"] is JsonArray facets)
        {
            for (var i = 0; i < facets.Count; i++)
            {
                var facetError = CheckFacet(facets[i] as JsonObject, $"$.record.facets[{i}]");
                if (facetError is not null)
                {
                    return facetError;
                }
            }
        }
        if (record["tags"] is JsonArray tags)
        {
            if (tags.Count > 8)
            {
                return Invalid($"{Prefix}array too big (maximum 8, got {tags.Count}) at $.record.tags");
            }
            for (var i = 0; i < tags.Count; i++)
            {
                var tagError = CheckString(tags[i]?.GetValue<string>() ?? "", 640, 64, $"$.record.tags[{i}]");
                if (tagError is not null)
                {
                    return tagError;
                }
            }
        }
        return record["embed"] is JsonObject embed ? CheckEmbed(embed, "$.record.embed", findBlob) : null;
    }

    private static XrpcError? CheckFacet(JsonObject? facet, string path)
    {
        if (facet?["index"] is not JsonObject index || index["byteStart"] is null || index["byteEnd"] is null)
        {
            return Invalid($"{Prefix}Missing required key \"index\" at {path}");
        }
        if (facet["features"] is not JsonArray features)
        {
            return Invalid($"{Prefix}Missing required key \"features\" at {path}");
        }
        for (var j = 0; j < features.Count; j++)
        {
            var feature = features[j] as JsonObject;
            var featurePath = $"{path}.features[{j}]";
            switch (feature?["$type"]?.GetValue<string>())
            {
                case "app.bsky.richtext.facet#mention":
                    var did = feature["did"]?.GetValue<string>() ?? "";
                    if (!DidPattern().IsMatch(did))
                    {
                        return Invalid($"{Prefix}Invalid DID (got \"{did}\") at {featurePath}.did");
                    }
                    break;
                case "app.bsky.richtext.facet#link":
                    var uri = feature["uri"]?.GetValue<string>() ?? "";
                    if (!Uri.TryCreate(uri, UriKind.Absolute, out _) || uri.Contains(' ', StringComparison.Ordinal))
                    {
                        return Invalid($"{Prefix}Invalid uri (got \"{uri}\") at {featurePath}.uri");
                    }
                    break;
                case "app.bsky.richtext.facet#tag":
                    var tagError = CheckString(feature["tag"]?.GetValue<string>() ?? "", 640, 64, $"{featurePath}.tag");
                    if (tagError is not null)
                    {
                        return tagError;
                    }
                    break;
            }
        }
        return null;
    }

    private static XrpcError? CheckEmbed(JsonObject embed, string path, Func<string, (string MimeType, long Size)?> findBlob)
    {
        switch (embed["$type"]?.GetValue<string>())
        {
            case "app.bsky.embed.images":
                if (embed["images"] is not JsonArray images)
                {
                    return Invalid($"{Prefix}Missing required key \"images\" at {path}");
                }
                if (images.Count > 4)
                {
                    return Invalid($"{Prefix}array too big (maximum 4, got {images.Count}) at {path}.images");
                }
                for (var i = 0; i < images.Count; i++)
                {
                    var image = images[i] as JsonObject;
                    if (image?["alt"] is null)
                    {
                        return Invalid($"{Prefix}Missing required key \"alt\" at {path}.images[{i}]");
                    }
                    var blobError = CheckBlob(image["image"] as JsonObject, 2_000_000, $"{path}.images[{i}].image", findBlob);
                    if (blobError is not null)
                    {
                        return blobError;
                    }
                    if (image["aspectRatio"] is JsonObject ratio
                        && (ratio["width"]?.GetValue<int>() < 1 || ratio["height"]?.GetValue<int>() < 1))
                    {
                        return Invalid($"{Prefix}aspectRatio must be at least 1 at {path}.images[{i}].aspectRatio");
                    }
                }
                return null;
            case "app.bsky.embed.external":
                if (embed["external"] is not JsonObject external)
                {
                    return Invalid($"{Prefix}Missing required key \"external\" at {path}");
                }
                foreach (var key in new[] { "uri", "title", "description" })
                {
                    if (external[key] is null)
                    {
                        return Invalid($"{Prefix}Missing required key \"{key}\" at {path}.external");
                    }
                }
                return external["thumb"] is JsonObject thumb ? CheckBlob(thumb, 1_000_000, $"{path}.external.thumb", findBlob) : null;
            case "app.bsky.embed.record":
                return embed["record"] is JsonObject { } strong
                    ? CheckStrongRef(strong, $"{path}.record")
                    : Invalid($"{Prefix}Missing required key \"record\" at {path}");
            case "app.bsky.embed.recordWithMedia":
                if (embed["record"] is not JsonObject inner || inner["record"] is not JsonObject innerRef)
                {
                    return Invalid($"{Prefix}Missing required key \"record\" at {path}");
                }
                if (CheckStrongRef(innerRef, $"{path}.record.record") is { } refError)
                {
                    return refError;
                }
                return embed["media"] is JsonObject media
                    ? CheckEmbed(media, $"{path}.media", findBlob)
                    : Invalid($"{Prefix}Missing required key \"media\" at {path}");
            default:
                return Invalid($"{Prefix}Unsupported embed type at {path}");
        }
    }

    /// <summary>
    /// A com.atproto.repo.strongRef as the PDS's lexicon validation sees it: uri in the at-uri format, cid in the cid
    /// format. (Neither the PDS nor the AppView checks that the record exists: a quote of a deleted post is accepted
    /// and shown as "not found".)
    /// </summary>
    private static XrpcError? CheckStrongRef(JsonObject strong, string path)
    {
        if (strong["uri"] is null || strong["cid"] is null)
        {
            return Invalid($"{Prefix}Missing required key \"{(strong["uri"] is null ? "uri" : "cid")}\" at {path}");
        }

        var uri = strong["uri"] is JsonValue uriValue && uriValue.TryGetValue<string>(out var u) ? u : null;
        if (uri is null || !AtUri().IsMatch(uri))
        {
            return Invalid($"{Prefix}{path}.uri must be a valid at-uri");
        }

        var cid = strong["cid"] is JsonValue cidValue && cidValue.TryGetValue<string>(out var c) ? c : null;
        return cid is null || !CidString().IsMatch(cid) ? Invalid($"{Prefix}{path}.cid must be a cid string") : null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^at://(did:[a-z]+:[a-zA-Z0-9._:%-]+|[a-zA-Z0-9.-]+)(/[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z][a-zA-Z0-9-]*){2,}(/[A-Za-z0-9._~:-]{1,512})?)?$")]
    private static partial System.Text.RegularExpressions.Regex AtUri();

    // A CIDv1 in base32 (multibase "b"), what PDSes return; CIDv0 ("Qm…", base58) is accepted by the format too.
    [System.Text.RegularExpressions.GeneratedRegex(@"^(b[a-z2-7]{8,}|Qm[1-9A-HJ-NP-Za-km-z]{44})$")]
    private static partial System.Text.RegularExpressions.Regex CidString();

    private static XrpcError? CheckBlob(JsonObject? blob, long maxSize, string path, Func<string, (string MimeType, long Size)?> findBlob)
    {
        var cid = blob?["ref"]?["$link"]?.GetValue<string>();
        if (cid is null)
        {
            return Invalid($"{Prefix}Missing required key \"ref\" at {path}");
        }
        if (findBlob(cid) is not { } stored)
        {
            return new XrpcError(400, "BlobNotFound", $"Could not find blob: {cid}");
        }
        if (stored.Size > maxSize)
        {
            return Invalid($"{Prefix}blob too big (maximum {maxSize}, got {stored.Size}) at {path}");
        }
        return stored.MimeType.StartsWith("image/", StringComparison.Ordinal)
            ? null
            : Invalid($"{Prefix}Wrong type of blob: expected image/*, got {stored.MimeType} at {path}");
    }

    private static XrpcError? CheckString(string value, int maxBytes, int maxGraphemes, string path)
    {
        var bytes = Encoding.UTF8.GetByteCount(value);
        if (bytes > maxBytes)
        {
            return Invalid($"{Prefix}string too big (maximum {maxBytes}, got {bytes}) at {path}");
        }
        var graphemes = new StringInfo(value).LengthInTextElements;
        return graphemes > maxGraphemes
            ? Invalid($"{Prefix}grapheme too big (maximum {maxGraphemes}, got {graphemes}) at {path}")
            : null;
    }

    private static XrpcError Invalid(string message) => new(400, "InvalidRequest", message);

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})\z", RegexOptions.CultureInvariant)]
    private static partial Regex DateTimePattern();

    [GeneratedRegex(@"^(?:[a-zA-Z]{2,3}|i|x)(?:-[a-zA-Z0-9]{1,8})*\z", RegexOptions.CultureInvariant)]
    private static partial Regex LanguagePattern();

    [GeneratedRegex(@"^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]\z", RegexOptions.CultureInvariant)]
    private static partial Regex DidPattern();
}
