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

        var served = await ServeAsync(image.GetProperty("url").GetString()!, contentType);
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
        await ServeAsync(image.GetProperty("url").GetString()!, "image/jpeg");
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

    private async Task<byte[]> ServeAsync(string url, string contentType)
    {
        var response = await app.AnonymousClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.ToString());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("sandbox", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("inline", response.Content.Headers.ContentDisposition?.DispositionType);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static async Task<HttpResponseMessage> UploadAsync(LiveScenario live, byte[] bytes, string contentType, string fileName)
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

    private static byte[] Jpeg(int width, int height, string? comment = null, string? scan = null)
    {
        var output = new List<byte> { 0xFF, 0xD8 };
        output.AddRange([0xFF, 0xE0, 0, 16, .. "JFIF"u8, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
        if (comment is not null)
        {
            var bytes = Encoding.ASCII.GetBytes(comment);
            output.AddRange([0xFF, 0xFE, (byte)((bytes.Length + 2) >> 8), (byte)(bytes.Length + 2), .. bytes]);
        }

        output.AddRange([0xFF, 0xC0, 0, 11, 8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 1, 1, 0x11, 0]);
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
