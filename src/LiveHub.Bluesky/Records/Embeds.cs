using System.Text.Json;

namespace LiveHub.Bluesky;

/// <summary>One embed per post; only <see cref="RecordWithMediaEmbed"/> combines a quote with media.</summary>
public abstract record PostEmbed
{
    internal abstract void WriteTo(Utf8JsonWriter writer);
}

public sealed record AspectRatio(int Width, int Height);

public sealed record EmbeddedImage(BlobRef Image, string Alt, AspectRatio? AspectRatio = null);

public sealed record ImagesEmbed(IReadOnlyList<EmbeddedImage> Images) : PostEmbed
{
    public const int MaxImages = 4;

    internal override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("$type", "app.bsky.embed.images");
        writer.WriteStartArray("images");
        foreach (var image in Images)
        {
            writer.WriteStartObject();
            writer.WriteString("alt", image.Alt);
            writer.WritePropertyName("image");
            image.Image.WriteTo(writer);
            if (image.AspectRatio is { } ratio)
            {
                writer.WriteStartObject("aspectRatio");
                writer.WriteNumber("width", ratio.Width);
                writer.WriteNumber("height", ratio.Height);
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}

/// <summary>Link card. The client builds it (see <c>OpenGraphParser</c>); the thumb must be ≤ 1,000,000 bytes.</summary>
public sealed record ExternalEmbed(string Uri, string Title, string Description, BlobRef? Thumb = null) : PostEmbed
{
    internal override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("$type", "app.bsky.embed.external");
        writer.WriteStartObject("external");
        writer.WriteString("uri", Uri);
        writer.WriteString("title", Title);
        writer.WriteString("description", Description);
        if (Thumb is not null)
        {
            writer.WritePropertyName("thumb");
            Thumb.WriteTo(writer);
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}

/// <summary>Quote post.</summary>
public sealed record RecordEmbed(StrongRef Record) : PostEmbed
{
    internal override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("$type", "app.bsky.embed.record");
        WriteRecord(writer, Record);
        writer.WriteEndObject();
    }

    internal static void WriteRecord(Utf8JsonWriter writer, StrongRef record)
    {
        writer.WriteStartObject("record");
        writer.WriteString("uri", record.Uri);
        writer.WriteString("cid", record.Cid);
        writer.WriteEndObject();
    }
}

/// <summary>Quote plus images or a link card.</summary>
public sealed record RecordWithMediaEmbed(StrongRef Record, PostEmbed Media) : PostEmbed
{
    internal override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("$type", "app.bsky.embed.recordWithMedia");
        writer.WriteStartObject("record");
        writer.WriteString("$type", "app.bsky.embed.record");
        RecordEmbed.WriteRecord(writer, Record);
        writer.WriteEndObject();
        writer.WritePropertyName("media");
        Media.WriteTo(writer);
        writer.WriteEndObject();
    }
}
