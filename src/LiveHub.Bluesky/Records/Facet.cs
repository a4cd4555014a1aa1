using System.Text.Json;

namespace LiveHub.Bluesky;

/// <summary>Rich-text annotation over UTF-8 byte offsets [ByteStart, ByteEnd) of the post text.</summary>
public sealed record Facet(int ByteStart, int ByteEnd, IReadOnlyList<FacetFeature> Features)
{
    internal void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("index");
        writer.WriteNumber("byteStart", ByteStart);
        writer.WriteNumber("byteEnd", ByteEnd);
        writer.WriteEndObject();
        writer.WriteStartArray("features");
        foreach (var feature in Features)
        {
            writer.WriteStartObject();
            switch (feature)
            {
                case MentionFeature mention:
                    writer.WriteString("$type", "app.bsky.richtext.facet#mention");
                    writer.WriteString("did", mention.Did);
                    break;
                case LinkFeature link:
                    writer.WriteString("$type", "app.bsky.richtext.facet#link");
                    writer.WriteString("uri", link.Uri);
                    break;
                case TagFeature tag:
                    writer.WriteString("$type", "app.bsky.richtext.facet#tag");
                    writer.WriteString("tag", tag.Tag);
                    break;
                default:
                    throw new NotSupportedException($"Unknown facet feature {feature.GetType().Name}.");
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}

public abstract record FacetFeature;

/// <summary>Mentions carry the DID, never the handle.</summary>
public sealed record MentionFeature(string Did) : FacetFeature;

public sealed record LinkFeature(string Uri) : FacetFeature;

/// <summary>Hashtag without the leading '#'.</summary>
public sealed record TagFeature(string Tag) : FacetFeature;
