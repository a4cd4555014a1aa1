using System.Text;
using LiveHub.Bluesky.RichText;

namespace LiveHub.Bluesky;

/// <summary>
/// An <c>app.bsky.feed.post</c> record. Serialise it once with <see cref="ToJson"/> and store that string: byte-identical
/// JSON gives the identical CID, which is what makes retries recognisable as the same post.
/// </summary>
public sealed record PostRecord
{
    public const string Collection = "app.bsky.feed.post";
    public const int MaxLangs = 3;
    public const int MaxTags = 8;

    public required string Text { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>BCP-47 language tags, at most 3.</summary>
    public IReadOnlyList<string>? Langs { get; init; }

    public IReadOnlyList<Facet>? Facets { get; init; }

    public ReplyRef? Reply { get; init; }

    public PostEmbed? Embed { get; init; }

    /// <summary>Hashtags not shown in the text (≤ 8).</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>The problems the PDS would reject the record for; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        var graphemes = PostText.CountGraphemes(Text);
        if (graphemes > PostText.MaxGraphemes)
        {
            problems.Add($"text has {graphemes} graphemes (maximum {PostText.MaxGraphemes})");
        }
        var bytes = Encoding.UTF8.GetByteCount(Text);
        if (bytes > PostText.MaxBytes)
        {
            problems.Add($"text has {bytes} UTF-8 bytes (maximum {PostText.MaxBytes})");
        }
        if (Langs is { Count: > MaxLangs })
        {
            problems.Add($"{Langs.Count} langs (maximum {MaxLangs})");
        }
        if (Langs?.Any(string.IsNullOrWhiteSpace) == true)
        {
            problems.Add("empty language tag");
        }
        if (Tags is { Count: > MaxTags })
        {
            problems.Add($"{Tags.Count} tags (maximum {MaxTags})");
        }
        foreach (var tag in Tags ?? [])
        {
            if (PostText.CountGraphemes(tag) > PostText.MaxTagGraphemes || Encoding.UTF8.GetByteCount(tag) > PostText.MaxTagBytes)
            {
                problems.Add($"tag too long: {tag}");
            }
        }
        foreach (var facet in Facets ?? [])
        {
            if (facet.ByteStart < 0 || facet.ByteEnd < facet.ByteStart)
            {
                problems.Add($"facet range {facet.ByteStart}-{facet.ByteEnd} is invalid");
            }
            foreach (var feature in facet.Features)
            {
                if (feature is MentionFeature mention && !mention.Did.StartsWith("did:", StringComparison.Ordinal))
                {
                    problems.Add($"mention without a DID (got \"{mention.Did}\")");
                }
                if (feature is TagFeature tagFeature && PostText.CountGraphemes(tagFeature.Tag) > PostText.MaxTagGraphemes)
                {
                    problems.Add($"facet tag too long: {tagFeature.Tag}");
                }
            }
        }
        ValidateEmbed(Embed, problems, nested: false);
        return problems;
    }

    /// <summary>Deterministic JSON (fixed key order, invariant datetime format). Throws if <see cref="Validate"/> finds problems.</summary>
    public string ToJson()
    {
        var problems = Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid post record: " + string.Join("; ", problems));
        }
        var bytes = BlueskyJson.Write(w =>
        {
            w.WriteString("$type", Collection);
            w.WriteString("text", Text);
            w.WriteString("createdAt", AtDateTime.ToString(CreatedAt));
            if (Langs is { Count: > 0 })
            {
                w.WriteStartArray("langs");
                foreach (var lang in Langs)
                {
                    w.WriteStringValue(lang);
                }
                w.WriteEndArray();
            }
            if (Facets is { Count: > 0 })
            {
                w.WriteStartArray("facets");
                foreach (var facet in Facets)
                {
                    facet.WriteTo(w);
                }
                w.WriteEndArray();
            }
            if (Reply is not null)
            {
                w.WriteStartObject("reply");
                WriteStrongRef(w, "root", Reply.Root);
                WriteStrongRef(w, "parent", Reply.Parent);
                w.WriteEndObject();
            }
            if (Embed is not null)
            {
                w.WritePropertyName("embed");
                Embed.WriteTo(w);
            }
            if (Tags is { Count: > 0 })
            {
                w.WriteStartArray("tags");
                foreach (var tag in Tags)
                {
                    w.WriteStringValue(tag);
                }
                w.WriteEndArray();
            }
        });
        return Encoding.UTF8.GetString(bytes);
    }

    private static void WriteStrongRef(System.Text.Json.Utf8JsonWriter writer, string name, StrongRef reference)
    {
        writer.WriteStartObject(name);
        writer.WriteString("uri", reference.Uri);
        writer.WriteString("cid", reference.Cid);
        writer.WriteEndObject();
    }

    private static void ValidateEmbed(PostEmbed? embed, List<string> problems, bool nested)
    {
        switch (embed)
        {
            case ImagesEmbed images:
                if (images.Images.Count is 0 or > ImagesEmbed.MaxImages)
                {
                    problems.Add($"{images.Images.Count} images (1 to {ImagesEmbed.MaxImages} allowed)");
                }
                foreach (var image in images.Images)
                {
                    if (image.Alt is null)
                    {
                        problems.Add("image without alt text");
                    }
                    if (image.AspectRatio is { } ratio && (ratio.Width < 1 || ratio.Height < 1))
                    {
                        problems.Add("aspect ratio must be at least 1x1");
                    }
                    if (!image.Image.MimeType.StartsWith("image/", StringComparison.Ordinal))
                    {
                        problems.Add($"image blob has type {image.Image.MimeType}");
                    }
                }
                break;
            case ExternalEmbed external:
                if (!Uri.TryCreate(external.Uri, UriKind.Absolute, out _))
                {
                    problems.Add($"link card uri is not absolute: {external.Uri}");
                }
                if (external.Thumb is { Size: > 1_000_000 })
                {
                    problems.Add($"link card thumb is {external.Thumb.Size} bytes (maximum 1000000)");
                }
                break;
            case RecordWithMediaEmbed withMedia:
                if (nested || withMedia.Media is not (ImagesEmbed or ExternalEmbed))
                {
                    problems.Add("recordWithMedia needs images or an external link card as media");
                }
                ValidateEmbed(withMedia.Media, problems, nested: true);
                break;
        }
    }
}
