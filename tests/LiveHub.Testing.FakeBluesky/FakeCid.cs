using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LiveHub.Testing.FakeBluesky;

/// <summary>
/// CIDv1-shaped identifiers: "b" + base32(version 1, codec, sha2-256, digest). Records hash their canonical JSON (keys
/// sorted), not DAG-CBOR, so identical content gets the identical CID as on a real PDS, but values differ from one.
/// </summary>
public static class FakeCid
{
    private const byte DagCbor = 0x71;
    private const byte Raw = 0x55;

    public static string ForRecord(JsonNode record) => Make(DagCbor, Encoding.UTF8.GetBytes(CanonicalJson(record)));

    public static string ForBlob(ReadOnlySpan<byte> data) => Make(Raw, data);

    public static string CanonicalJson(JsonNode? node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, node);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    Write(writer, value);
                }
                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    Write(writer, item);
                }
                writer.WriteEndArray();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }

    private static string Make(byte codec, ReadOnlySpan<byte> content)
    {
        Span<byte> bytes = stackalloc byte[36];
        bytes[0] = 0x01;
        bytes[1] = codec;
        bytes[2] = 0x12;
        bytes[3] = 0x20;
        SHA256.HashData(content, bytes[4..]);
        return "b" + Base32Lower(bytes);
    }

    private static string Base32Lower(ReadOnlySpan<byte> data)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var output = new StringBuilder((data.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                output.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0)
        {
            output.Append(alphabet[(buffer << (5 - bits)) & 31]);
        }
        return output.ToString();
    }
}
