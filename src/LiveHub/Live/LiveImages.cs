using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace LiveHub.Live;

/// <summary>What an upload turned out to be, with metadata removed.</summary>
public sealed record InspectedImage(string ContentType, string Extension, int Width, int Height, byte[] Bytes);

/// <summary>
/// Checks uploads by their bytes (never the file name or the declared type), walks their structure and reads the
/// size of every frame from the headers (refusing decompression bombs before anything is decoded: see
/// <see cref="LiveImageOptions"/>), and strips metadata that can carry location and camera details: EXIF/XMP/IPTC
/// in JPEG, text and EXIF chunks in PNG, comments, plain text and XMP in GIF. Anything appended after the image's
/// end marker (a polyglot's HTML or zip) is dropped too.
/// </summary>
public static class LiveImages
{
    public static string Url(LiveImage image) => $"/media/{image.Id:N}{Path.GetExtension(image.FileName)}";

    public static bool TryInspect(byte[] data, LiveImageOptions limits, out InspectedImage? image, out string? reason)
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

            var budget = new FrameBudget(limits);
            (image, reason) = data switch
            {
                [0xFF, 0xD8, 0xFF, ..] => Jpeg(data, budget),
                [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, ..] => Png(data, budget),
                [(byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'7' or (byte)'9', (byte)'a', ..] => Gif(data, budget),
                _ => (null, "is not a JPEG, PNG or GIF image."),
            };
            return image is not null;
        }
        catch (Exception ex) when (ex is IndexOutOfRangeException or ArgumentOutOfRangeException or ArgumentException)
        {
            image = null;
            reason = "is damaged or truncated.";
            return false;
        }
    }

    /// <summary>
    /// The limits on what an image decodes to. Every frame is counted at the size of the canvas it is decoded onto
    /// (browsers hold each frame of an animation as a whole canvas), and frames are counted as they are met, so a
    /// file declaring thousands of frames is refused without walking them all.
    /// </summary>
    private sealed class FrameBudget(LiveImageOptions limits)
    {
        public int Frames { get; private set; }

        /// <summary>A reason if one frame of this size is too big.</summary>
        public string? CheckFrame(long width, long height, bool animated) =>
            width < 1 || height < 1 || width * height > limits.MaxFramePixels
                ? animated
                    ? $"has a frame of {width}×{height} pixels; at most {Pixels(limits.MaxFramePixels)} per frame are accepted."
                    : $"has {width}×{height} pixels; at most {Pixels(limits.MaxFramePixels)} are accepted."
                : null;

        /// <summary>A reason if one more frame is one too many.</summary>
        public string? CountFrame() =>
            ++Frames > limits.MaxFrames ? $"has more than {limits.MaxFrames} frames; at most {limits.MaxFrames} are accepted." : null;

        /// <summary>A reason if this many frames (declared or counted) are too many.</summary>
        public string? CheckFrameCount(long frames) =>
            frames > limits.MaxFrames ? $"has {frames} frames; at most {limits.MaxFrames} are accepted." : null;

        /// <summary>A reason if this many frames of this canvas decode to too much.</summary>
        public string? CheckTotal(long frames, long width, long height) =>
            (decimal)frames * width * height > limits.MaxTotalPixels
                ? $"has {frames} frames of {width}×{height} pixels, {Pixels((long)Math.Min((decimal)frames * width * height, long.MaxValue))} decoded in all; at most {Pixels(limits.MaxTotalPixels)} in all are accepted."
                : null;

        private static string Pixels(long pixels) => pixels % 1_000_000 == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{pixels / 1_000_000:N0} megapixels")
            : string.Create(CultureInfo.InvariantCulture, $"{pixels:N0} pixels");
    }

    private static (InspectedImage?, string?) Jpeg(byte[] data, FrameBudget budget)
    {
        using var output = new MemoryStream(data.Length);
        output.Write(data, 0, 2);
        int width = 0, height = 0;
        var frames = 0;
        var position = 2;
        var sawScan = false;
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
                sawScan = true;
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
                // One frame header before the scan: with two, decoders disagree on which size is the image's.
                if (++frames > 1)
                {
                    return (null, "is not a valid JPEG (more than one frame header).");
                }

                if (length < 8)
                {
                    return (null, "is not a valid JPEG (short frame header).");
                }

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

        if (frames == 0)
        {
            return (null, "is a JPEG without a frame header.");
        }

        if (!sawScan)
        {
            return (null, "is a truncated JPEG (no image data).");
        }

        if ((budget.CheckFrame(width, height, animated: false) ?? budget.CountFrame() ?? budget.CheckTotal(1, width, height)) is { } reason)
        {
            return (null, reason);
        }

        return (new InspectedImage("image/jpeg", ".jpg", width, height, output.ToArray()), null);
    }

    /// <summary>Chunks that describe the image and so must come before its data (PNG 3rd edition, APNG).</summary>
    private static readonly HashSet<string> BeforeImageData =
        ["PLTE", "cHRM", "gAMA", "iCCP", "sBIT", "sRGB", "cICP", "mDCv", "cLLi", "bKGD", "hIST", "tRNS", "pHYs", "sPLT", "acTL"];

    /// <summary>Colour-space chunks, which must also come before the palette.</summary>
    private static readonly HashSet<string> BeforePalette = ["cHRM", "gAMA", "iCCP", "sBIT", "sRGB", "cICP", "mDCv", "cLLi"];

    /// <summary>Chunks that may appear at most once.</summary>
    private static readonly HashSet<string> Single =
        ["IHDR", "PLTE", "cHRM", "gAMA", "iCCP", "sBIT", "sRGB", "cICP", "mDCv", "cLLi", "bKGD", "hIST", "tRNS", "pHYs", "acTL"];

    /// <summary>
    /// Walks the chunks, checking the order the PNG and APNG specifications require (IHDR first and once, the header
    /// chunks before the image data, IDAT chunks together, animation frames inside the canvas and numbered in order)
    /// so that every decoder sees the same image, and keeps all but the text, time and EXIF chunks.
    /// </summary>
    private static (InspectedImage?, string?) Png(byte[] data, FrameBudget budget)
    {
        using var output = new MemoryStream(data.Length);
        output.Write(data, 0, 8);
        long width = 0, height = 0;
        byte colourType = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var idat = IdatState.NotYet;
        var declaredFrames = 0L;
        var controlFrames = 0;
        var defaultImageIsFrame = false;
        var nextSequence = 0L;
        var position = 8;
        var sawEnd = false;
        while (position + 12 <= data.Length)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(position));
            if (length > int.MaxValue || position + 12 + (long)length > data.Length)
            {
                return (null, "is a truncated PNG.");
            }

            var chunk = data.AsSpan(position + 8, (int)length);
            var typeBytes = data.AsSpan(position + 4, 4);
            foreach (var c in typeBytes)
            {
                if (c is not ((>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z')))
                {
                    return (null, "is not a valid PNG (a chunk type is not four letters).");
                }
            }

            var type = Encoding.ASCII.GetString(typeBytes);
            if (seen.Count == 0 && type != "IHDR")
            {
                return (null, $"is not a valid PNG (the first chunk is {type}, not the IHDR header).");
            }

            if (!seen.Add(type) && Single.Contains(type))
            {
                return (null, type == "IHDR"
                    ? "is not a valid PNG (more than one IHDR header chunk)."
                    : $"is not a valid PNG (more than one {type} chunk).");
            }

            if (idat == IdatState.Inside && type != "IDAT")
            {
                idat = IdatState.After;
            }

            if (idat != IdatState.NotYet && BeforeImageData.Contains(type))
            {
                return (null, $"is not a valid PNG (the {type} chunk comes after the image data).");
            }

            if (seen.Contains("PLTE") && BeforePalette.Contains(type))
            {
                return (null, $"is not a valid PNG (the {type} chunk comes after the palette).");
            }

            switch (type)
            {
                case "IHDR":
                    if (length != 13)
                    {
                        return (null, "is not a valid PNG (the IHDR header is not 13 bytes).");
                    }

                    width = BinaryPrimitives.ReadUInt32BigEndian(chunk);
                    height = BinaryPrimitives.ReadUInt32BigEndian(chunk[4..]);
                    colourType = chunk[9];
                    if (!ValidDepth(chunk[8], colourType) || chunk[10] != 0 || chunk[11] != 0 || chunk[12] > 1)
                    {
                        return (null, "is not a valid PNG (unknown bit depth, colour type, compression, filter or interlace method).");
                    }

                    if (budget.CheckFrame(width, height, animated: false) is { } tooBig)
                    {
                        return (null, tooBig);
                    }

                    break;
                case "PLTE":
                    if (colourType is 0 or 4 || length == 0 || length % 3 != 0 || length > 768)
                    {
                        return (null, "is not a valid PNG (a palette that does not fit the image).");
                    }

                    break;
                case "IDAT":
                    if (idat == IdatState.After)
                    {
                        return (null, "is not a valid PNG (its IDAT image data chunks are not together).");
                    }

                    if (colourType == 3 && !seen.Contains("PLTE"))
                    {
                        return (null, "is not a valid PNG (a palette image without a palette before its data).");
                    }

                    idat = IdatState.Inside;
                    break;
                case "acTL":
                    if (length != 8)
                    {
                        return (null, "is not a valid PNG (the acTL animation chunk is not 8 bytes).");
                    }

                    declaredFrames = BinaryPrimitives.ReadUInt32BigEndian(chunk);
                    if (declaredFrames == 0)
                    {
                        return (null, "is not a valid PNG (an animation of 0 frames).");
                    }

                    // Refused by what it declares, before any frame is walked.
                    if ((budget.CheckFrameCount(declaredFrames) ?? budget.CheckTotal(declaredFrames, width, height)) is { } declared)
                    {
                        return (null, declared);
                    }

                    break;
                case "fcTL":
                    if (!seen.Contains("acTL"))
                    {
                        return (null, "is not a valid PNG (an fcTL frame chunk without an acTL animation chunk before it).");
                    }

                    if (length != 26)
                    {
                        return (null, "is not a valid PNG (an fcTL frame chunk that is not 26 bytes).");
                    }

                    if (BinaryPrimitives.ReadUInt32BigEndian(chunk) != nextSequence++)
                    {
                        return (null, "is not a valid PNG (animation chunks out of sequence).");
                    }

                    long frameWidth = BinaryPrimitives.ReadUInt32BigEndian(chunk[4..]), frameHeight = BinaryPrimitives.ReadUInt32BigEndian(chunk[8..]);
                    long left = BinaryPrimitives.ReadUInt32BigEndian(chunk[12..]), top = BinaryPrimitives.ReadUInt32BigEndian(chunk[16..]);
                    if (budget.CheckFrame(frameWidth, frameHeight, animated: true) is { } frameTooBig)
                    {
                        return (null, frameTooBig);
                    }

                    if (left + frameWidth > width || top + frameHeight > height)
                    {
                        return (null, $"is not a valid PNG (an animation frame of {frameWidth}×{frameHeight} at {left},{top} lies outside the {width}×{height} image).");
                    }

                    if (chunk[24] > 2 || chunk[25] > 1)
                    {
                        return (null, "is not a valid PNG (an animation frame with an unknown dispose or blend operation).");
                    }

                    defaultImageIsFrame |= controlFrames == 0 && idat == IdatState.NotYet;
                    controlFrames++;
                    if (budget.CountFrame() is { } tooMany)
                    {
                        return (null, tooMany);
                    }

                    break;
                case "fdAT":
                    if (!seen.Contains("acTL") || idat == IdatState.NotYet || controlFrames == 0)
                    {
                        return (null, "is not a valid PNG (an fdAT frame data chunk out of place).");
                    }

                    if (length < 4 || BinaryPrimitives.ReadUInt32BigEndian(chunk) != nextSequence++)
                    {
                        return (null, "is not a valid PNG (animation chunks out of sequence).");
                    }

                    break;
                default:
                    // An unknown critical chunk (upper-case first letter) means the image cannot be decoded as PNG.
                    if (char.IsAsciiLetterUpper(type[0]) && type is not "IEND")
                    {
                        return (null, $"is not a valid PNG (unknown critical chunk {type}).");
                    }

                    break;
            }

            if (type is not ("eXIf" or "tEXt" or "zTXt" or "iTXt" or "tIME"))
            {
                output.Write(data, position, 12 + (int)length);
            }

            position += 12 + (int)length;
            if (type == "IEND")
            {
                sawEnd = true;
                break;
            }
        }

        if (!sawEnd || idat == IdatState.NotYet)
        {
            return (null, "is not a complete PNG.");
        }

        if (declaredFrames > 0 && controlFrames != declaredFrames)
        {
            return (null, $"is not a valid PNG (its acTL chunk declares {declaredFrames} frames, but it has {controlFrames}).");
        }

        // An APNG's default image (the IDAT) is decoded too, as its first frame or as an extra image before the animation.
        var frames = declaredFrames == 0 ? 1 : controlFrames + (defaultImageIsFrame ? 0 : 1);
        return (budget.CheckFrameCount(frames) ?? budget.CheckTotal(frames, width, height)) is { } reason
            ? (null, reason)
            : (new InspectedImage("image/png", ".png", (int)width, (int)height, output.ToArray()), null);
    }

    private enum IdatState
    {
        NotYet,
        Inside,
        After,
    }

    private static bool ValidDepth(byte depth, byte colourType) => colourType switch
    {
        0 => depth is 1 or 2 or 4 or 8 or 16,
        3 => depth is 1 or 2 or 4 or 8,
        2 or 4 or 6 => depth is 8 or 16,
        _ => false,
    };

    /// <summary>
    /// Walks the GIF's blocks (logical screen descriptor and global colour table; extensions, each a label and
    /// sub-blocks; image descriptors with their local colour table and LZW data sub-blocks; the trailer) without
    /// decoding any pixels, checking every frame's size and the number of frames. Keeps only images and the
    /// extensions a browser needs (graphic control, looping): comments, plain text, other application extensions
    /// (XMP) and anything after the trailer are dropped.
    /// </summary>
    private static (InspectedImage?, string?) Gif(byte[] data, FrameBudget budget)
    {
        long width = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(6));
        long height = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(8));
        var position = 13 + ColourTableLength(data[10]);
        using var output = new MemoryStream(data.Length);
        output.Write(data, 0, position);

        // Decoders grow the canvas to hold a frame that does not fit the logical screen, so the canvas checked is
        // the smallest rectangle holding the screen and every frame.
        long canvasWidth = width, canvasHeight = height;
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
                    if (budget.Frames == 0)
                    {
                        return (null, "is a GIF without any image.");
                    }

                    var reason = budget.CheckFrame(canvasWidth, canvasHeight, animated: false) ?? budget.CheckTotal(budget.Frames, canvasWidth, canvasHeight);
                    return reason is not null
                        ? (null, reason)
                        : (new InspectedImage("image/gif", ".gif", (int)canvasWidth, (int)canvasHeight, output.ToArray()), null);
                case 0x21:
                    var label = data[position + 1];
                    var firstBlock = data[position + 2];
                    if (label == 0xF9 && (firstBlock != 4 || data[position + 7] != 0))
                    {
                        return (null, "is not a valid GIF (a graphic control extension that is not 4 bytes).");
                    }

                    position = SkipSubBlocks(data, position + 2);
                    var looping = label == 0xFF && firstBlock == 11 && Encoding.ASCII.GetString(data, start + 3, 11) is "NETSCAPE2.0" or "ANIMEXTS1.0";
                    if (label == 0xF9 || looping)
                    {
                        output.Write(data, start, position - start);
                    }

                    break;
                case 0x2C:
                    // Image descriptor: left, top, width, height (16 bits each), flags; then the local colour table,
                    // the LZW minimum code size and the data sub-blocks.
                    long left = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(position + 1));
                    long top = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(position + 3));
                    long frameWidth = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(position + 5));
                    long frameHeight = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(position + 7));
                    if ((budget.CheckFrame(frameWidth, frameHeight, animated: true) ?? budget.CountFrame()) is { } frameReason)
                    {
                        return (null, frameReason);
                    }

                    canvasWidth = Math.Max(canvasWidth, left + frameWidth);
                    canvasHeight = Math.Max(canvasHeight, top + frameHeight);
                    var codeSizeAt = position + 10 + ColourTableLength(data[position + 9]);
                    if (data[codeSizeAt] is < 1 or > 11)
                    {
                        return (null, $"is not a valid GIF (LZW minimum code size {data[codeSizeAt]}).");
                    }

                    position = SkipSubBlocks(data, codeSizeAt + 1);
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
