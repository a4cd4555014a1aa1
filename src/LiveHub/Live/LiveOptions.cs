using System.ComponentModel.DataAnnotations;

namespace LiveHub.Live;

/// <summary>Settings of the real-time endpoint and of image uploads (section <c>Live</c>).</summary>
public sealed class LiveOptions
{
    public const string Section = "Live";

    /// <summary>
    /// How long one send to a client may wait for room in its socket before SignalR closes the connection
    /// (the hub's <c>TransportSendTimeout</c>). A client that stopped reading is dropped rather than
    /// buffered for without limit; when it comes back it joins again with the last change it applied.
    /// </summary>
    public TimeSpan SlowClientTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public LiveImageOptions Images { get; set; } = new();
}

/// <summary>
/// What an uploaded image may decode to (section <c>Live:Images</c>), checked from its headers before anything is
/// decoded. A frame decodes to its canvas (the logical screen of a GIF, grown to hold every frame; the IHDR size of
/// a PNG or APNG), at about 4 bytes a pixel in a browser: 50 megapixels (~200 MB) is more than any phone camera's
/// full-size photo, and 200 megapixels in all (~800 MB if every frame were held at once) still lets through a
/// 480p GIF of 500 frames or a 1080p one of 96, while a few kilobytes of headers can no longer ask for gigabytes.
/// </summary>
public sealed class LiveImageOptions
{
    /// <summary>Pixels of one frame (a still image's only frame).</summary>
    [Range(1d, 1_000_000_000d)]
    public long MaxFramePixels { get; set; } = 50_000_000;

    /// <summary>Frames of an animated GIF or PNG.</summary>
    [Range(1, 100_000)]
    public int MaxFrames { get; set; } = 500;

    /// <summary>Pixels of all frames together (each counted at its canvas size).</summary>
    [Range(1d, 100_000_000_000d)]
    public long MaxTotalPixels { get; set; } = 200_000_000;
}
