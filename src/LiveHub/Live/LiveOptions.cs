namespace LiveHub.Live;

/// <summary>Settings of the real-time endpoint (section <c>Live</c>).</summary>
public sealed class LiveOptions
{
    public const string Section = "Live";

    /// <summary>
    /// How long one send to a client may wait for room in its socket before SignalR closes the connection
    /// (the hub's <c>TransportSendTimeout</c>). A client that stopped reading is dropped rather than
    /// buffered for without limit; when it comes back it joins again with the last change it applied.
    /// </summary>
    public TimeSpan SlowClientTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Once LiveHub is stopping, how long an image upload whose body is still arriving may go on before it is answered
    /// 503 (try again) instead. Keep it well below the host's 30 s shutdown timeout.
    /// </summary>
    public TimeSpan UploadShutdownGrace { get; set; } = TimeSpan.FromSeconds(10);
}
