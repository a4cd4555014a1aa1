using System.Globalization;
using System.Text;

namespace LiveHub.Bluesky.RichText;

public sealed record PostSplitOptions
{
    public int MaxGraphemes { get; init; } = PostText.MaxGraphemes;

    public int MaxBytes { get; init; } = PostText.MaxBytes;

    /// <summary>Append " (i/n)" to every chunk when the text needs more than one post.</summary>
    public bool NumberChunks { get; init; } = true;
}

/// <summary>
/// Splits long text into posts that each fit the limits, cutting at a paragraph break, else a sentence end, else
/// whitespace; never inside a link, mention or tag, and never inside a grapheme cluster. Detect facets again on each
/// chunk (offsets are chunk-relative).
/// </summary>
public static class PostSplitter
{
    public static IReadOnlyList<string> Split(string text, PostSplitOptions? options = null)
    {
        options ??= new PostSplitOptions();
        text = PostText.CleanNewlines(text).Trim();
        if (PostText.Fits(text, options.MaxGraphemes, options.MaxBytes))
        {
            return [text];
        }
        if (!options.NumberChunks)
        {
            return SplitWithin(text, options.MaxGraphemes, options.MaxBytes);
        }
        var assumedCount = 9;
        while (true)
        {
            // The suffix is ASCII, so its width counts the same in graphemes and bytes.
            var reserve = Suffix(assumedCount, assumedCount).Length;
            var chunks = SplitWithin(text, options.MaxGraphemes - reserve, options.MaxBytes - reserve);
            if (Digits(chunks.Count) <= Digits(assumedCount))
            {
                return [.. chunks.Select((chunk, i) => chunk + Suffix(i + 1, chunks.Count))];
            }
            assumedCount = chunks.Count;
        }
    }

    private static string Suffix(int index, int count) => $" ({index}/{count})";

    private static int Digits(int value) => value.ToString(CultureInfo.InvariantCulture).Length;

    private static List<string> SplitWithin(string text, int maxGraphemes, int maxBytes)
    {
        if (maxGraphemes < 1 || maxBytes < 1)
        {
            throw new ArgumentException("Limits leave no room for text.");
        }
        var boundaries = GraphemeBoundaries(text);
        var elementCount = boundaries.Count - 1;
        var protectedRanges = FacetDetector.Detect(text);
        var chunks = new List<string>();
        var start = 0;
        while (start < elementCount)
        {
            while (start < elementCount && IsWhitespace(text, boundaries, start))
            {
                start++;
            }
            if (start == elementCount)
            {
                break;
            }
            var end = start;
            var bytes = 0;
            while (end < elementCount && end - start < maxGraphemes)
            {
                var elementBytes = Encoding.UTF8.GetByteCount(text.AsSpan(boundaries[end], boundaries[end + 1] - boundaries[end]));
                if (bytes + elementBytes > maxBytes)
                {
                    break;
                }
                bytes += elementBytes;
                end++;
            }
            if (end == start)
            {
                end = start + 1; // a single cluster larger than the byte limit: emit it rather than loop forever
            }
            var cut = end == elementCount ? end : ChooseCut(text, boundaries, protectedRanges, start, end);
            var chunk = text[boundaries[start]..boundaries[cut]].TrimEnd();
            if (chunk.Length > 0)
            {
                chunks.Add(chunk);
            }
            start = cut;
        }
        return chunks;
    }

    /// <summary>Element index to cut before: best paragraph break, sentence end, whitespace, then any safe boundary.</summary>
    private static int ChooseCut(string text, List<int> boundaries, IReadOnlyList<DetectedFacet> protectedRanges, int start, int end)
    {
        // A higher-ranked break is only worth it if it keeps the chunk at least half full.
        var minimumForStructuralBreak = start + ((end - start) / 2);
        int? sentence = null, whitespace = null, anySafe = null;
        for (var k = end; k > start; k--)
        {
            var position = boundaries[k];
            if (protectedRanges.Any(r => r.Start < position && position < r.End))
            {
                continue;
            }
            anySafe ??= k;
            var atWhitespace = position < text.Length && char.IsWhiteSpace(text[position]);
            if (!atWhitespace)
            {
                continue;
            }
            whitespace ??= k;
            if (k < minimumForStructuralBreak)
            {
                continue;
            }
            if (text[position] == '\n' && position + 1 < text.Length && text[position + 1] == '\n')
            {
                return k;
            }
            if (sentence is null && text[position - 1] is '.' or '!' or '?' or '\u2026')
            {
                sentence = k;
            }
        }
        return sentence ?? whitespace ?? anySafe ?? end;
    }

    private static List<int> GraphemeBoundaries(string text)
    {
        var boundaries = new List<int>(text.Length + 1);
        var index = 0;
        while (index < text.Length)
        {
            boundaries.Add(index);
            index += StringInfo.GetNextTextElementLength(text, index);
        }
        boundaries.Add(text.Length);
        return boundaries;
    }

    private static bool IsWhitespace(string text, List<int> boundaries, int element)
    {
        for (var i = boundaries[element]; i < boundaries[element + 1]; i++)
        {
            if (!char.IsWhiteSpace(text[i]))
            {
                return false;
            }
        }
        return true;
    }
}
