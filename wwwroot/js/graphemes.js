// Counting text the way Bluesky does (user-perceived characters, "graphemes": an emoji with modifiers,
// or a letter with combining accents, counts as one), and estimating how many Bluesky posts a live post
// becomes. The estimate mirrors LiveHub.Bluesky's PostSplitter: cut at a paragraph break, else a
// sentence end, else whitespace, and number the parts " (i/n)" when there is more than one.

export const BLUESKY_LIMIT = 300;

const segmenter = typeof Intl.Segmenter === "function" ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;

/** The text's graphemes, as strings. */
export function graphemes(text) {
    if (segmenter) {
        return Array.from(segmenter.segment(text), (s) => s.segment);
    }
    return Array.from(text); // code points: close enough where Intl.Segmenter is missing
}

export const graphemeCount = (text) => graphemes(text).length;

const cleanNewlines = (text) => text.replace(/\r\n?/g, "\n");

function splitWithin(parts, max) {
    const chunks = [];
    let start = 0;
    const isSpace = (i) => /^\s+$/.test(parts[i]);
    while (start < parts.length) {
        while (start < parts.length && isSpace(start)) {
            start++;
        }
        if (start >= parts.length) {
            break;
        }
        let end = Math.min(parts.length, start + max);
        if (end < parts.length) {
            const half = start + Math.floor((end - start) / 2);
            let sentence = null;
            let whitespace = null;
            let paragraph = null;
            for (let k = end; k > start; k--) {
                if (!isSpace(k)) {
                    continue;
                }
                whitespace ??= k;
                if (k < half) {
                    continue;
                }
                if (parts[k] === "\n" && parts[k + 1] === "\n") {
                    paragraph = k;
                    break;
                }
                if (sentence === null && /[.!?\u2026]$/.test(parts[k - 1])) {
                    sentence = k;
                }
            }
            end = paragraph ?? sentence ?? whitespace ?? end;
        }
        if (parts.slice(start, end).join("").trim().length > 0) {
            chunks.push(end);
        }
        start = end;
    }
    return chunks.length;
}

/** How many Bluesky posts the text needs (1 when it fits). */
export function blueskyPostCount(text) {
    const parts = graphemes(cleanNewlines(text).trim());
    if (parts.length <= BLUESKY_LIMIT) {
        return 1;
    }
    let assumed = 9;
    for (;;) {
        const reserve = ` (${assumed}/${assumed})`.length;
        const count = splitWithin(parts, BLUESKY_LIMIT - reserve);
        if (String(count).length <= String(assumed).length) {
            return count;
        }
        assumed = count;
    }
}

/** The text a live post becomes on Bluesky (without the event's hashtags), as CrossPostText composes it. */
export function blueskyText({ kind, body, speakerName, linkUrl }) {
    let text = (body ?? "").trim();
    if (kind === "quote" && speakerName) {
        text = `\u201C${text}\u201D \u2014 ${speakerName}`;
    } else if (kind === "keyMoment") {
        text = `Key moment: ${text}`;
    }
    if (linkUrl && !text.includes(linkUrl)) {
        text += `\n${linkUrl}`;
    }
    return text;
}
