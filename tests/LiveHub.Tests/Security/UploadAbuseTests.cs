using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveHub.Live;
using LiveHub.Tests.Infrastructure;
using LiveHub.Tests.Live;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LiveHub.Tests.Security;

/// <summary>
/// Hostile image uploads: wrong types, polyglots, oversized and endless bodies, decompression bombs. Each is
/// refused with a problem naming the file and leaves nothing stored, or is stored without its payload and
/// served so that it can only ever be an image.
/// </summary>
public sealed class UploadAbuseTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private static readonly byte[] Html = Encoding.ASCII.GetBytes("<html><body><script>alert(document.cookie)</script></body></html>");

    public static TheoryData<string, byte[], string> WrongTypes => new()
    {
        { "text", Encoding.UTF8.GetBytes("Just some text, long enough to pass the size check."), "text/plain" },
        { "PDF", Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n%%EOF"), "application/pdf" },
        { "SVG with script", Encoding.UTF8.GetBytes("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"), "image/svg+xml" },
        { "HTML", Html, "text/html" },
        { "WebP", [.. "RIFF"u8, 0x24, 0, 0, 0, .. "WEBPVP8 "u8, 0x18, 0, 0, 0, .. new byte[24]], "image/webp" },
        { "BMP", [.. "BM"u8, 0x3A, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0, 0x28, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0x18, 0, .. new byte[28]], "image/bmp" },
        { "HTML claiming to be a JPEG", Html, "image/jpeg" },
        { "PNG signature then HTML", [.. PngSignature, .. Html], "image/png" },
    };

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public async Task Wrong_types_are_refused_with_a_problem_naming_the_file_and_nothing_is_stored(string what, byte[] bytes, string contentType)
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var before = await StoredAsync();
        var response = await UploadAsync(live, bytes, contentType, "photo" + (contentType == "image/jpeg" ? ".jpg" : ".png"));
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "file");
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("errors").GetProperty("file")[0].GetString()), what);
        Assert.Equal(before, await StoredAsync());
    }

    public static TheoryData<string, byte[], string, string> Polyglots => new()
    {
        { "GIF with HTML after the trailer", [.. Gif(1, 1), .. Html], "image/gif", "<script" },
        { "GIF with script in a comment extension", Gif(1, 1, comment: "*/=1;alert(1);/*<script>alert(2)</script>"), "image/gif", "alert" },
        { "JPEG with HTML after the end-of-image marker", [.. Jpeg(2, 2), .. Html], "image/jpeg", "<script" },
        { "JPEG with script in a comment segment", Jpeg(2, 2, comment: "<script>alert(1)</script>"), "image/jpeg", "<script" },
        { "PNG with a zip appended", [.. Png(1, 1), .. Zip()], "image/png", "PK\u0003\u0004" },
        { "PNG with HTML in a text chunk", Png(1, 1, text: "<script>alert(1)</script>"), "image/png", "<script" },
    };

    [Theory]
    [MemberData(nameof(Polyglots))]
    public async Task Polyglots_are_stored_without_their_payload_and_served_only_as_images(string what, byte[] bytes, string contentType, string payload)
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var response = await UploadAsync(live, bytes, "image/png", "photo.png");
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var image = await response.Content.ReadFromJsonAsync<JsonElement>();

        var served = await ServeAsync(live, image, contentType);
        Assert.DoesNotContain(payload, Encoding.Latin1.GetString(served), StringComparison.Ordinal);
        Assert.True(served.Length < bytes.Length, $"{what}: served {served.Length} bytes of {bytes.Length}");
    }

    [Fact]
    public async Task A_jpeg_with_markup_inside_its_compressed_data_is_served_as_an_image_in_a_sandbox()
    {
        // The scan data cannot be stripped without re-encoding; the headers make sure it is never anything but an image.
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var response = await UploadAsync(live, Jpeg(2, 2, scan: "<script>alert(1)</script>"), "text/html", "page.html");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var image = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.EndsWith(".jpg", image.GetProperty("url").GetString(), StringComparison.Ordinal);
        await ServeAsync(live, image, "image/jpeg");
    }

    [Fact]
    public async Task An_oversized_file_is_refused_and_nothing_is_stored()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var before = await StoredAsync();
        var big = new byte[(int)LiveLimits.ImageBytes + (256 * 1024)];
        Png(1, 1).CopyTo(big, 0);
        await (await UploadAsync(live, big, "image/png", "big.png")).AssertProblemAsync(HttpStatusCode.BadRequest, "file");
        Assert.Equal(before, await StoredAsync());
    }

    [Fact]
    public async Task An_endless_upload_without_a_length_is_cut_off_at_the_limit()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var before = await StoredAsync();
        var endless = new EndlessStream(prefix: Png(1, 1), limit: 200L * 1024 * 1024);
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent("An endless image"), "altText");
        var file = new StreamContent(endless);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "file", "endless.png");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/streams/{live.StreamId}/images") { Content = form };
        request.Headers.TransferEncodingChunked = true;

        // Straight to the test server: the factory's default client buffers request bodies (to replay them on redirects).
        using var direct = new HttpClient(app.Server.CreateHandler()) { BaseAddress = app.Server.BaseAddress };
        direct.DefaultRequestHeaders.Authorization = live.Editor.DefaultRequestHeaders.Authorization;
        var response = await direct.SendAsync(request);
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "file");
        Assert.True(endless.BytesRead < 3 * LiveLimits.ImageBytes, $"The server read {endless.BytesRead / 1024 / 1024} MB of an endless upload before refusing it.");
        Assert.Equal(before, await StoredAsync());
    }

    public static TheoryData<string, byte[]> Bombs => new()
    {
        { "PNG declaring 50,000 × 50,000", Png(50_000, 50_000) },
        { "PNG declaring 20,000 × 20,000 with an IDAT that inflates to 64 MB of zeros", Png(20_000, 20_000, idat: ZlibZeros(64 * 1024 * 1024)) },
        { "GIF declaring 65,535 × 65,535", Gif(65_535, 65_535) },
        { "JPEG declaring 65,000 × 65,000", Jpeg(65_000, 65_000) },
        { "PNG declaring 2^31 × 1 (negative as a signed int)", Png(int.MinValue, 1) },
    };

    [Theory]
    [MemberData(nameof(Bombs))]
    public async Task Decompression_bombs_are_refused_by_their_declared_size_before_decoding(string what, byte[] bytes)
    {
        Assert.True(bytes.Length < 2 * 1024 * 1024, $"{what} should be small ({bytes.Length} bytes)");
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var before = await StoredAsync();
        var problem = await (await UploadAsync(live, bytes, "image/png", "bomb.png")).AssertProblemAsync(HttpStatusCode.BadRequest, "file");
        Assert.Contains("pixels", problem.GetProperty("errors").GetProperty("file")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await StoredAsync());
    }

    [Fact]
    public async Task A_truncated_or_damaged_gif_is_refused()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var before = await StoredAsync();
        var gif = Gif(1, 1);
        await (await UploadAsync(live, gif[..^2], "image/gif", "cut.gif")).AssertProblemAsync(HttpStatusCode.BadRequest, "file");
        await (await UploadAsync(live, [.. gif[..^1], .. Html], "image/gif", "junk.gif")).AssertProblemAsync(HttpStatusCode.BadRequest, "file");
        Assert.Equal(before, await StoredAsync());
    }

    public static TheoryData<string, byte[], string> FrameBombs => new()
    {
        { "GIF with a 1×1 screen and one 30,000×30,000 frame", AnimatedGif(1, 1, [new GifFrame(0, 0, 30_000, 30_000)]), "a frame of 30000×30000 pixels" },
        { "GIF of 2,000 frames of 6,000×6,000", AnimatedGif(6_000, 6_000, Enumerable.Repeat(new GifFrame(0, 0, 6_000, 6_000), 2_000)), "more than 500 frames" },
        { "GIF of 2,000 frames of 1×1", AnimatedGif(1, 1, Enumerable.Repeat(new GifFrame(0, 0), 2_000)), "more than 500 frames" },
        { "GIF of 6 frames of 6,000×6,000 (216 megapixels in all)", AnimatedGif(6_000, 6_000, Enumerable.Repeat(new GifFrame(0, 0, 6_000, 6_000), 6)), "216 megapixels decoded in all" },
        { "GIF whose two 1×1 frames lie 40,000 pixels apart around a 1×1 screen", AnimatedGif(1, 1, [new GifFrame(0, 0), new GifFrame(39_999, 39_999)]), "40000×40000 pixels" },
        { "PNG with two IHDR chunks, 50,000×50,000 first and 1×1 last", PngOf(Ihdr(50_000, 50_000), Ihdr(1, 1), Idat(1, 1), Iend), "50000×50000 pixels" },
        { "APNG declaring 100,000 frames", PngOf(Ihdr(1, 1), Actl(100_000), Fctl(0, 1, 1), Idat(1, 1), Iend), "100000 frames" },
        { "APNG declaring 2 frames but carrying 600", Apng(1, 1, declaredFrames: 2, Enumerable.Repeat((1, 1, 0, 0), 600)), "more than 500 frames" },
        { "APNG of 6 frames of 6,000×6,000 (216 megapixels in all)", Apng(6_000, 6_000, declaredFrames: 6, Enumerable.Repeat((6_000, 6_000, 0, 0), 6), idat: ZlibZeros(2)), "216 megapixels decoded in all" },
        { "APNG with a 30,000×30,000 frame in a 1×1 image", PngOf(Ihdr(1, 1), Actl(1), Fctl(0, 30_000, 30_000), Idat(1, 1), Iend), "a frame of 30000×30000 pixels" },
        { "APNG with a frame outside its 1×1 image", PngOf(Ihdr(1, 1), Actl(2), Fctl(0, 1, 1), Idat(1, 1), Fctl(1, 1, 1, 5, 5), Fdat(2, 1, 1), Iend), "outside the 1×1 image" },
    };

    /// <summary>
    /// Few bytes that would decode to gigapixels through their frames rather than their declared screen: each is
    /// refused by the size, number or total of its frames (50 megapixels a frame, 500 frames, 200 megapixels in all).
    /// </summary>
    [Theory]
    [MemberData(nameof(FrameBombs))]
    public async Task Animations_are_refused_by_the_size_number_and_total_of_their_frames(string what, byte[] bytes, string reason)
    {
        Assert.True(bytes.Length < 256 * 1024, $"{what} should be small ({bytes.Length} bytes)");
        await AssertRefusedAsync(what, bytes, reason);
    }

    public static TheoryData<string, byte[], string> Malformed => new()
    {
        { "PNG with two 1×1 IHDR chunks", PngOf(Ihdr(1, 1), Ihdr(1, 1), Idat(1, 1), Iend), "more than one IHDR" },
        { "PNG with its image data before its IHDR", PngOf(Idat(1, 1), Ihdr(1, 1), Iend), "not the IHDR" },
        { "PNG with its IDAT chunks split by another chunk", PngOf([Ihdr(2, 2), .. SplitIdat(2, 2, between: Chunk("prVt", [1, 2, 3]))]), "not together" },
        { "PNG with its palette after the image data", PngOf(Ihdr(1, 1, colourType: 2), Idat(1, 1, bytesPerPixel: 3), Plte(2), Iend), "PLTE chunk comes after the image data" },
        { "PNG with gAMA after the palette", PngOf(Ihdr(1, 1, colourType: 3), Plte(2), Chunk("gAMA", [0, 0, 0xB1, 0x8F]), Idat(1, 1), Iend), "gAMA chunk comes after the palette" },
        { "PNG with a palette image and no palette", PngOf(Ihdr(1, 1, colourType: 3), Idat(1, 1), Iend), "without a palette" },
        { "PNG with an unknown critical chunk", PngOf(Ihdr(1, 1), Chunk("EVIL", [1]), Idat(1, 1), Iend), "unknown critical chunk EVIL" },
        { "APNG with its acTL after the image data", PngOf(Ihdr(1, 1), Idat(1, 1), Actl(1), Fctl(0, 1, 1), Fdat(1, 1, 1), Iend), "acTL chunk comes after the image data" },
        { "APNG frame without an acTL", PngOf(Ihdr(1, 1), Fctl(0, 1, 1), Idat(1, 1), Iend), "without an acTL" },
        { "APNG with its frames out of sequence", PngOf(Ihdr(1, 1), Actl(2), Fctl(0, 1, 1), Idat(1, 1), Fctl(2, 1, 1), Fdat(1, 1, 1), Iend), "out of sequence" },
        { "APNG declaring 3 frames and carrying 2", Apng(1, 1, declaredFrames: 3, [(1, 1, 0, 0), (1, 1, 0, 0)]), "declares 3 frames, but it has 2" },
        { "JPEG with two frame headers (1×1, then 2×2)", Jpeg(1, 1, secondFrame: (2, 2)), "more than one frame header" },
        { "GIF without any image", [.. "GIF89a"u8, 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x21, 0xFE, 3, .. "abc"u8, 0, 0x3B], "without any image" },
        { "GIF with an LZW code size of 12", AnimatedGif(1, 1, [new GifFrame(0, 0, CodeSize: 12)]), "LZW minimum code size 12" },
        { "GIF with a 200-byte graphic control extension", [.. "GIF89a"u8, 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x21, 0xF9, 200, .. new byte[200], 0, .. AnimatedGif(1, 1, [new GifFrame(0, 0)])[19..]], "graphic control extension" },
    };

    /// <summary>
    /// Files whose structure is out of order or self-contradictory, so that decoders may disagree on what they are
    /// (the last IHDR or frame header winning here, the first one in a browser): refused, not guessed at.
    /// </summary>
    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task Images_with_duplicate_headers_or_chunks_out_of_order_are_refused(string what, byte[] bytes, string reason) =>
        await AssertRefusedAsync(what, bytes, reason);

    [Fact]
    public async Task The_frame_limits_are_exact()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var frames500 = AnimatedGif(1, 1, Enumerable.Repeat(new GifFrame(0, 0), 500));
        var frames501 = AnimatedGif(1, 1, Enumerable.Repeat(new GifFrame(0, 0), 501));
        // 1×1-pixel frames on a 1,000×1,000 canvas: each decodes to the whole canvas, a megapixel.
        var megapixels200 = AnimatedGif(1_000, 1_000, Enumerable.Range(0, 200).Select(i => new GifFrame(i, i)));
        var megapixels201 = AnimatedGif(1_000, 1_000, Enumerable.Range(0, 201).Select(i => new GifFrame(i, i)));
        var pixels50M = Jpeg(10_000, 5_000);
        var pixels50MPlus = Jpeg(10_000, 5_001);

        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(live, frames500, "image/gif", "a.gif")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(live, megapixels200, "image/gif", "a.gif")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(live, pixels50M, "image/jpeg", "a.jpg")).StatusCode);
        await AssertRefusedAsync("501 frames", frames501, "more than 500 frames");
        await AssertRefusedAsync("201 megapixels", megapixels201, "at most 200 megapixels in all");
        await AssertRefusedAsync("50,010,000 pixels", pixels50MPlus, "at most 50 megapixels are accepted");
    }

    public static TheoryData<string, byte[], string, int, int, string[]> Legitimate => new()
    {
        {
            "animated GIF: looping, a comment, local colour tables, interlacing, 3 frames",
            AnimatedGif(4, 3, [new GifFrame(0, 0), new GifFrame(3, 2, LocalColours: true), new GifFrame(1, 1, Interlaced: true, LocalColours: true)], comment: "made by hand"),
            "image/gif", 4, 3, ["NETSCAPE2.0"]
        },
        {
            "APNG of 3 frames whose first is the default image",
            Apng(2, 2, declaredFrames: 3, [(2, 2, 0, 0), (1, 1, 1, 1), (2, 1, 0, 1)]),
            "image/png", 2, 2, ["acTL", "fcTL", "fdAT"]
        },
        {
            "APNG with a default image outside its 2 frames",
            Apng(3, 2, declaredFrames: 2, [(3, 2, 0, 0), (1, 2, 2, 0)], defaultImageIsFrame: false),
            "image/png", 3, 2, ["acTL", "fcTL", "fdAT"]
        },
        {
            "palette PNG with gAMA, sRGB, pHYs, tRNS in their places and its data in two IDAT chunks",
            PngOf([Ihdr(2, 2, colourType: 3), Chunk("gAMA", [0, 0, 0xB1, 0x8F]), Chunk("sRGB", [0]), Plte(2), Chunk("tRNS", [0, 0xFF]), Chunk("pHYs", [0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1]), .. SplitIdat(2, 2)]),
            "image/png", 2, 2, ["PLTE", "tRNS", "gAMA", "sRGB", "pHYs"]
        },
        { "16-bit RGBA PNG", PngOf(Ihdr(3, 1, bitDepth: 16, colourType: 6), Idat(3, 1, bytesPerPixel: 8), Iend), "image/png", 3, 1, ["IDAT"] },
        { "8,000×6,000 JPEG (48 megapixels, a phone camera's full size)", Jpeg(8_000, 6_000), "image/jpeg", 8_000, 6_000, [] },
    };

    [Theory]
    [MemberData(nameof(Legitimate))]
    public async Task Legitimate_stills_and_animations_are_accepted_with_their_structure(string what, byte[] bytes, string contentType, int width, int height, string[] kept)
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var response = await UploadAsync(live, bytes, contentType, "image");
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var image = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((width, height), (image.GetProperty("width").GetInt32(), image.GetProperty("height").GetInt32()));
        var served = Encoding.Latin1.GetString(await ServeAsync(live, image, contentType));
        Assert.All(kept, k => Assert.Contains(k, served, StringComparison.Ordinal));
        Assert.DoesNotContain("made by hand", served, StringComparison.Ordinal);
        if (contentType == "image/png")
        {
            // Every chunk but metadata is kept, in its place: the stored file is the upload, byte for byte.
            Assert.Equal(Encoding.Latin1.GetString(bytes), served);
        }
    }

    private async Task AssertRefusedAsync(string what, byte[] bytes, string reason)
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var before = await StoredAsync();
        var problem = await (await UploadAsync(live, bytes, "image/png", "image.png")).AssertProblemAsync(HttpStatusCode.BadRequest, "file");
        var message = problem.GetProperty("errors").GetProperty("file")[0].GetString();
        Assert.True(message?.Contains(reason, StringComparison.Ordinal) == true, $"{what}: expected '{reason}' in '{message}'");
        Assert.Equal(before, await StoredAsync());
    }

    /// <summary>Attaches the upload to a post (only then is it public) and fetches it as an attendee would.</summary>
    private async Task<byte[]> ServeAsync(LiveScenario live, JsonElement image, string contentType)
    {
        (await live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/posts", new { body = "Photo", imageIds = new[] { image.GetProperty("id").GetGuid() } })).EnsureSuccessStatusCode();
        var response = await app.AnonymousClient().GetAsync(image.GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.ToString());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("sandbox", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("inline", response.Content.Headers.ContentDisposition?.DispositionType);
        return await response.Content.ReadAsByteArrayAsync();
    }

    internal static async Task<HttpResponseMessage> UploadAsync(LiveScenario live, byte[] bytes, string contentType, string fileName)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(file, "file", fileName);
        form.Add(new StringContent("Alt text"), "altText");
        return await live.Editor.PostAsync($"/api/streams/{live.StreamId}/images", form);
    }

    /// <summary>Image rows and files in the media folder.</summary>
    private async Task<(int Rows, int Files)> StoredAsync()
    {
        var rows = 0;
        await app.WithDbAsync(async db => rows = await db.LiveImages.CountAsync());
        var folder = LiveImageEndpoints.MediaFolder(app.Services.GetRequiredService<LiveHub.Data.DataDirectory>());
        return (rows, Directory.Exists(folder) ? Directory.GetFiles(folder).Length : 0);
    }

    private static byte[] PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    internal static byte[] Png(int width, int height, byte[]? idat = null, string? text = null)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 0; // greyscale
        var output = new List<byte>(PngSignature);
        output.AddRange(Chunk("IHDR", ihdr));
        if (text is not null)
        {
            output.AddRange(Chunk("tEXt", [.. "Comment"u8, 0, .. Encoding.Latin1.GetBytes(text)]));
        }

        output.AddRange(Chunk("IDAT", idat ?? ZlibZeros(2)));
        output.AddRange(Chunk("IEND", []));
        return [.. output];
    }

    private static byte[] Chunk(string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }

    private static byte[] ZlibZeros(int count)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.SmallestSize))
        {
            var zeros = new byte[1024 * 1024];
            for (var left = count; left > 0; left -= zeros.Length)
            {
                zlib.Write(zeros, 0, Math.Min(left, zeros.Length));
            }
        }

        return output.ToArray();
    }

    private static byte[] Gif(int width, int height, string? comment = null)
    {
        var output = new List<byte>("GIF89a"u8.ToArray());
        output.AddRange([(byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0x80, 0, 0, 0xFF, 0xFF, 0xFF, 0, 0, 0]);
        if (comment is not null)
        {
            var bytes = Encoding.ASCII.GetBytes(comment);
            output.AddRange([0x21, 0xFE, (byte)bytes.Length, .. bytes, 0]);
        }

        output.AddRange([0x21, 0xF9, 4, 1, 0, 0, 0, 0]);
        output.AddRange([0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3B]);
        return [.. output];
    }

    private static byte[] PngOf(params byte[][] chunks) => [.. PngSignature, .. chunks.SelectMany(c => c)];

    private static byte[] Ihdr(int width, int height, byte bitDepth = 8, byte colourType = 0)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = bitDepth;
        ihdr[9] = colourType;
        return Chunk("IHDR", ihdr);
    }

    /// <summary>Image data for a width × height image: each row a filter byte and its pixels, all zero, deflated.</summary>
    private static byte[] Idat(int width, int height, int bytesPerPixel = 1) => Chunk("IDAT", ZlibZeros(height * (1 + (width * bytesPerPixel))));

    /// <summary>The same image data in two IDAT chunks, with another chunk between them if given (which the spec forbids).</summary>
    private static byte[][] SplitIdat(int width, int height, byte[]? between = null)
    {
        var data = ZlibZeros(height * (1 + width));
        var half = data.Length / 2;
        return [Chunk("IDAT", data[..half]), .. between is null ? Array.Empty<byte[]>() : [between], Chunk("IDAT", data[half..]), Iend];
    }

    private static byte[] Plte(int colours) => Chunk("PLTE", [.. Enumerable.Range(0, colours * 3).Select(i => (byte)(i * 40))]);

    private static byte[] Iend => Chunk("IEND", []);

    /// <summary>APNG animation control: the number of frames, and 0 plays (loop for ever).</summary>
    private static byte[] Actl(int frames)
    {
        var data = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(data, frames);
        return Chunk("acTL", data);
    }

    /// <summary>APNG frame control: sequence number, size, offset, a 1/10 s delay, no disposal, source blending.</summary>
    private static byte[] Fctl(int sequence, int width, int height, int left = 0, int top = 0)
    {
        var data = new byte[26];
        BinaryPrimitives.WriteInt32BigEndian(data, sequence);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(4), width);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(8), height);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(12), left);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(16), top);
        BinaryPrimitives.WriteInt16BigEndian(data.AsSpan(20), 1);
        BinaryPrimitives.WriteInt16BigEndian(data.AsSpan(22), 10);
        return Chunk("fcTL", data);
    }

    /// <summary>APNG frame data: a sequence number, then the frame's deflated rows as in IDAT.</summary>
    private static byte[] Fdat(int sequence, int width, int height)
    {
        var data = new List<byte>(new byte[4]);
        BinaryPrimitives.WriteInt32BigEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(data), sequence);
        data.AddRange(ZlibZeros(height * (1 + width)));
        return Chunk("fdAT", [.. data]);
    }

    /// <summary>
    /// A greyscale APNG: IHDR, acTL, then the default image (the first frame's fcTL before it, unless it is not part of
    /// the animation) and each further frame as fcTL + fdAT, sequence numbers counting from 0.
    /// </summary>
    private static byte[] Apng(int width, int height, int declaredFrames, IEnumerable<(int Width, int Height, int Left, int Top)> frames, bool defaultImageIsFrame = true, byte[]? idat = null)
    {
        var chunks = new List<byte[]> { Ihdr(width, height), Actl(declaredFrames) };
        var sequence = 0;
        var first = true;
        if (!defaultImageIsFrame)
        {
            chunks.Add(idat is null ? Idat(width, height) : Chunk("IDAT", idat));
        }

        foreach (var (w, h, left, top) in frames)
        {
            chunks.Add(Fctl(sequence++, w, h, left, top));
            if (first && defaultImageIsFrame)
            {
                chunks.Add(idat is null ? Idat(width, height) : Chunk("IDAT", idat));
            }
            else
            {
                chunks.Add(idat is null ? Fdat(sequence++, w, h) : Chunk("fdAT", [0, 0, 0, (byte)sequence++, .. idat]));
            }

            first = false;
        }

        chunks.Add(Iend);
        return PngOf([.. chunks]);
    }

    /// <summary>
    /// One frame of <see cref="AnimatedGif"/>: where it is and how big it says it is. Its data is always a single
    /// pixel (clear code, colour 0 or 1, end code), which is all a decoder finds however big the frame claims to be.
    /// </summary>
    internal sealed record GifFrame(int Left, int Top, int Width = 1, int Height = 1, bool LocalColours = false, bool Interlaced = false, byte CodeSize = 2);

    /// <summary>
    /// A GIF89a built block by block: the logical screen descriptor with a 2-colour global colour table, the
    /// NETSCAPE2.0 looping extension, a comment if given, then for each frame a graphic control extension (1/10 s)
    /// and an image descriptor (with a 2-colour local table if asked) and its LZW data sub-blocks, then the trailer.
    /// </summary>
    internal static byte[] AnimatedGif(int screenWidth, int screenHeight, IEnumerable<GifFrame> frames, string? comment = null)
    {
        var output = new List<byte>("GIF89a"u8.ToArray());
        output.AddRange([(byte)screenWidth, (byte)(screenWidth >> 8), (byte)screenHeight, (byte)(screenHeight >> 8), 0x80, 0, 0]);
        output.AddRange([0, 0, 0, 0xFF, 0xFF, 0xFF]);
        output.AddRange([0x21, 0xFF, 11, .. "NETSCAPE2.0"u8, 3, 1, 0, 0, 0]);
        if (comment is not null)
        {
            var bytes = Encoding.ASCII.GetBytes(comment);
            output.AddRange([0x21, 0xFE, (byte)bytes.Length, .. bytes, 0]);
        }

        var colour = 0;
        foreach (var frame in frames)
        {
            output.AddRange([0x21, 0xF9, 4, 0x04, 10, 0, 0, 0]);
            output.AddRange([0x2C, (byte)frame.Left, (byte)(frame.Left >> 8), (byte)frame.Top, (byte)(frame.Top >> 8),
                (byte)frame.Width, (byte)(frame.Width >> 8), (byte)frame.Height, (byte)(frame.Height >> 8),
                (byte)((frame.LocalColours ? 0x80 : 0) | (frame.Interlaced ? 0x40 : 0))]);
            if (frame.LocalColours)
            {
                output.AddRange([0xFF, 0, 0, 0, 0, 0xFF]);
            }

            // 3-bit codes, least significant bit first: clear (4), the colour (0 or 1), end of information (5).
            colour ^= 1;
            output.AddRange([frame.CodeSize, 2, (byte)(4 | (colour << 3) | (5 << 6)), 5 >> 2, 0]);
        }

        output.Add(0x3B);
        return [.. output];
    }

    internal static byte[] Jpeg(int width, int height, string? comment = null, string? scan = null, (int Width, int Height)? secondFrame = null)
    {
        var output = new List<byte> { 0xFF, 0xD8 };
        output.AddRange([0xFF, 0xE0, 0, 16, .. "JFIF"u8, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
        if (comment is not null)
        {
            var bytes = Encoding.ASCII.GetBytes(comment);
            output.AddRange([0xFF, 0xFE, (byte)((bytes.Length + 2) >> 8), (byte)(bytes.Length + 2), .. bytes]);
        }

        output.AddRange([0xFF, 0xC0, 0, 11, 8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 1, 1, 0x11, 0]);
        if (secondFrame is var (w, h))
        {
            output.AddRange([0xFF, 0xC0, 0, 11, 8, (byte)(h >> 8), (byte)h, (byte)(w >> 8), (byte)w, 1, 1, 0x11, 0]);
        }
        output.AddRange([0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0]);
        output.AddRange(scan is null ? [0x12, 0x34, 0x56] : Encoding.ASCII.GetBytes(scan));
        output.AddRange([0xFF, 0xD9]);
        return [.. output];
    }

    private static byte[] Zip()
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = zip.CreateEntry("payload.html").Open();
            entry.Write(Html);
        }

        return output.ToArray();
    }

    /// <summary>A body that never ends (up to a safety limit) and counts how much of it was read.</summary>
    private sealed class EndlessStream(byte[] prefix, long limit) : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, limit - BytesRead);
            for (var i = 0; i < n; i++)
            {
                var at = BytesRead + i;
                buffer[offset + i] = at < prefix.Length ? prefix[at] : (byte)'x';
            }

            BytesRead += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>The image limits come from <c>Live:Images</c>, and a setting that makes no sense stops the service on start.</summary>
public sealed class UploadLimitSettingsTests(UploadLimitSettingsTests.SmallLimitsApp app) : IClassFixture<UploadLimitSettingsTests.SmallLimitsApp>
{
    public sealed class SmallLimitsApp : SqliteApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Live:Images:MaxFramePixels"] = "100",
            ["Live:Images:MaxFrames"] = "3",
            ["Live:Images:MaxTotalPixels"] = "250",
        };
    }

    [Fact]
    public async Task Uploads_are_held_to_the_configured_limits()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var twoFrames = UploadAbuseTests.AnimatedGif(10, 10, [new(0, 0), new(1, 1)]);
        Assert.Equal(HttpStatusCode.Created, (await UploadAbuseTests.UploadAsync(live, twoFrames, "image/gif", "a.gif")).StatusCode);

        async Task RefusedAsync(byte[] bytes, string reason)
        {
            var problem = await (await UploadAbuseTests.UploadAsync(live, bytes, "image/gif", "a.gif")).AssertProblemAsync(HttpStatusCode.BadRequest, "file");
            Assert.Contains(reason, problem.GetProperty("errors").GetProperty("file")[0].GetString(), StringComparison.Ordinal);
        }

        await RefusedAsync(UploadAbuseTests.AnimatedGif(10, 10, [new(0, 0), new(1, 1), new(2, 2)]), "at most 250 pixels in all");
        await RefusedAsync(UploadAbuseTests.AnimatedGif(1, 1, Enumerable.Repeat(new UploadAbuseTests.GifFrame(0, 0), 4)), "more than 3 frames");
        await RefusedAsync(UploadAbuseTests.Jpeg(11, 10), "at most 100 pixels are accepted");
    }

    public static TheoryData<string, string, string> BadSettings => new()
    {
        { "Live:Images:MaxFrames", "0", "Live:Images" },
        { "Live:Images:MaxFramePixels", "-1", "Live:Images" },
        { "Live:Images:MaxTotalPixels", "1000", "Live:Images:MaxTotalPixels must be at least Live:Images:MaxFramePixels" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_image_limit_stops_the_service_on_start_with_a_message_naming_it(string key, string value, string message)
    {
        var bad = new BadSettingApp(key, value);
        try
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(bad.InitializeAsync);
            var messages = string.Join(" | ", Flatten(error).Select(e => e.Message));
            Assert.Contains(message, messages, StringComparison.Ordinal);
        }
        finally
        {
            await ((IAsyncLifetime)bad).DisposeAsync();
        }
    }

    private static IEnumerable<Exception> Flatten(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }

    private sealed class BadSettingApp(string key, string value) : SqliteApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { [key] = value };
    }
}
