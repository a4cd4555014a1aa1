using System.Buffers.Binary;

namespace LiveHub.Live;

/// <summary>What an upload turned out to be, with metadata removed.</summary>
public sealed record InspectedImage(string ContentType, string Extension, int Width, int Height, byte[] Bytes);

/// <summary>
/// Checks uploads by their bytes (never the file name or the declared type), reads the dimensions
/// from the header (refusing decompression bombs before anything is decoded) and strips metadata
/// that can carry location and camera details: EXIF/XMP/IPTC in JPEG, text and EXIF chunks in PNG, comments
/// and XMP in GIF. Anything appended after the image's end marker (a polyglot's HTML or zip) is dropped too.
/// </summary>
public static class LiveImages
{
    public static string Url(LiveImage image) => $"/media/{image.Id:N}{Path.GetExtension(image.FileName)}";

    public static bool TryInspect(byte[] data, out InspectedImage? image, out string? reason)
    {
        image = null;
        reason = null;
        try
        {
            if (data.Length < 24)
            {
                reason = "is too small to be an image.";
                return false;
            }

            if (data.Length > LiveLimits.ImageBytes)
            {
                reason = $"is larger than {LiveLimits.ImageBytes / (1024 * 1024)} MB.";
                return false;
            }

            (image, reason) = data switch
            {
                [0xFF, 0xD8, 0xFF, ..] => Jpeg(data),
                [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, ..] => Png(data),
                [(byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'7' or (byte)'9', (byte)'a', ..] => Gif(data),
                _ => (null, "is not a JPEG, PNG or GIF image."),
            };
            if (image is { } found && ((long)found.Width * found.Height > LiveLimits.ImagePixels || found.Width < 1 || found.Height < 1))
            {
                reason = $"has {found.Width}×{found.Height} pixels; at most {LiveLimits.ImagePixels / 1_000_000} megapixels are accepted.";
                image = null;
            }

            return image is not null;
        }
        catch (Exception ex) when (ex is IndexOutOfRangeException or ArgumentOutOfRangeException or ArgumentException)
        {
            image = null;
            reason = "is damaged or truncated.";
            return false;
        }
    }

    private static (InspectedImage?, string?) Jpeg(byte[] data)
    {
        using var output = new MemoryStream(data.Length);
        output.Write(data, 0, 2);
        int width = 0, height = 0;
        var position = 2;
        while (position + 4 <= data.Length)
        {
            if (data[position] != 0xFF)
            {
                return (null, "is not a valid JPEG (bad segment marker).");
            }

            var marker = data[position + 1];
            if (marker == 0xFF)
            {
                position++;
                continue;
            }

            if (marker == 0xDA)
            {
                // Start of scan: the compressed data is copied up to the end-of-image marker (0xFF bytes inside it
                // are stuffed, so the first FFD9 is the end). Anything appended after it (HTML, a zip) is dropped.
                var end = data.AsSpan(position).IndexOf([(byte)0xFF, (byte)0xD9]);
                if (end < 0)
                {
                    return (null, "is a truncated JPEG (no end-of-image marker).");
                }

                output.Write(data, position, end + 2);
                break;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(position + 2));
            if (length < 2 || position + 2 + length > data.Length)
            {
                return (null, "is a truncated JPEG.");
            }

            var isFrame = marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;
            if (isFrame)
            {
                height = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(position + 5));
                width = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(position + 7));
            }

            // APP1 (EXIF, XMP), APP13 (IPTC) and comments go; everything else stays.
            var strip = marker is 0xE1 or 0xED or 0xFE;
            if (!strip)
            {
                output.Write(data, position, 2 + length);
            }

            position += 2 + length;
        }

        return width == 0 ? (null, "is a JPEG without a frame header.") : (new InspectedImage("image/jpeg", ".jpg", width, height, output.ToArray()), null);
    }

    private static (InspectedImage?, string?) Png(byte[] data)
    {
        using var output = new MemoryStream(data.Length);
        output.Write(data, 0, 8);
        int width = 0, height = 0;
        var position = 8;
        var sawEnd = false;
        while (position + 12 <= data.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(position));
            if (length < 0 || position + 12 + (long)length > data.Length)
            {
                return (null, "is a truncated PNG.");
            }

            var type = System.Text.Encoding.ASCII.GetString(data, position + 4, 4);
            if (type == "IHDR")
            {
                width = (int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(position + 8));
                height = (int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(position + 12));
            }

            if (type is not ("eXIf" or "tEXt" or "zTXt" or "iTXt" or "tIME"))
            {
                output.Write(data, position, 12 + length);
            }

            position += 12 + length;
            if (type == "IEND")
            {
                sawEnd = true;
                break;
            }
        }

        return width == 0 || !sawEnd
            ? (null, "is not a complete PNG.")
            : (new InspectedImage("image/png", ".png", width, height, output.ToArray()), null);
    }

    /// <summary>
    /// Walks the GIF's blocks and keeps only images and the extensions a browser needs (graphic control,
    /// looping): comments, other application extensions (XMP) and anything after the trailer are dropped.
    /// </summary>
    private static (InspectedImage?, string?) Gif(byte[] data)
    {
        var width = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(6));
        var height = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(8));
        var position = 13 + ColourTableLength(data[10]);
        using var output = new MemoryStream(data.Length);
        output.Write(data, 0, position);
        while (true)
        {
            if (position >= data.Length)
            {
                return (null, "is a truncated GIF.");
            }

            var start = position;
            switch (data[position])
            {
                case 0x3B:
                    output.WriteByte(0x3B);
                    return (new InspectedImage("image/gif", ".gif", width, height, output.ToArray()), null);
                case 0x21:
                    var label = data[position + 1];
                    position = SkipSubBlocks(data, position + 2);
                    var looping = label == 0xFF && data[start + 2] == 11 && System.Text.Encoding.ASCII.GetString(data, start + 3, 11) is "NETSCAPE2.0" or "ANIMEXTS1.0";
                    if (label is 0xF9 or 0x01 || looping)
                    {
                        output.Write(data, start, position - start);
                    }

                    break;
                case 0x2C:
                    // Image descriptor (10 bytes), local colour table, LZW minimum code size, then the data sub-blocks.
                    position = SkipSubBlocks(data, position + 10 + ColourTableLength(data[position + 9]) + 1);
                    output.Write(data, start, position - start);
                    break;
                default:
                    return (null, "is not a valid GIF (unknown block).");
            }
        }
    }

    private static int ColourTableLength(byte flags) => (flags & 0x80) == 0 ? 0 : 3 * (1 << ((flags & 0x07) + 1));

    /// <summary>Position after a chain of sub-blocks (each a length byte and that many bytes; length 0 ends it).</summary>
    private static int SkipSubBlocks(byte[] data, int position)
    {
        while (data[position] is var size && size != 0)
        {
            position += 1 + size;
        }

        return position + 1;
    }
}
