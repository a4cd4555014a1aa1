namespace LiveHub.Bluesky.RichText;

/// <summary>Turns detected spans into byte-range facets; mentions that do not resolve to a DID stay plain text.</summary>
public static class FacetBuilder
{
    public static async Task<IReadOnlyList<Facet>> BuildAsync(string text, IHandleResolver resolver, CancellationToken cancellationToken = default)
    {
        var detected = FacetDetector.Detect(text);
        var dids = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var mention in detected.Where(d => d.Kind == FacetKind.Mention))
        {
            if (!dids.ContainsKey(mention.Value))
            {
                dids[mention.Value] = await resolver.ResolveHandleAsync(mention.Value, cancellationToken).ConfigureAwait(false);
            }
        }
        return Build(text, detected, handle => dids.GetValueOrDefault(handle));
    }

    /// <summary>Synchronous variant for callers that already know the DIDs (null = unresolved).</summary>
    public static IReadOnlyList<Facet> Build(string text, Func<string, string?> resolveHandle) =>
        Build(text, FacetDetector.Detect(text), resolveHandle);

    private static List<Facet> Build(string text, IReadOnlyList<DetectedFacet> detected, Func<string, string?> resolveHandle)
    {
        var facets = new List<Facet>(detected.Count);
        foreach (var span in detected)
        {
            FacetFeature? feature = span.Kind switch
            {
                FacetKind.Mention => resolveHandle(span.Value) is { Length: > 0 } did ? new MentionFeature(did) : null,
                FacetKind.Link => new LinkFeature(span.Value),
                FacetKind.Tag => new TagFeature(span.Value),
                _ => null,
            };
            if (feature is not null)
            {
                facets.Add(new Facet(PostText.Utf8Offset(text, span.Start), PostText.Utf8Offset(text, span.End), [feature]));
            }
        }
        return facets;
    }
}
