namespace LiveHub.Embed;

/// <summary>
/// Endpoint metadata: the response may be framed by the sites in <see cref="EmbedOptions.FrameAncestors"/>
/// (see SecurityHeaders). Only the /embed pages carry it.
/// </summary>
public sealed class AllowFraming
{
    public static readonly AllowFraming Instance = new();

    private AllowFraming()
    {
    }
}
