// Renders a live post (LivePostResponse JSON) with the same markup as Live/Pages/LivePostView.razor,
// so that posts rendered on the server and posts that arrive later look and behave the same.
// The body HTML (`post.html`) is produced and sanitised by the server (PostRenderer): text encoded,
// http(s) links only, raw HTML never rendered. Everything else is set as text.

import { locale, t } from "./strings.js";
import { clockTime, fullTime } from "./live-time.js";

const kindLabels = {
    quote: "kindQuote",
    keyMoment: "kindKeyMoment",
    questionsOpen: "kindQuestions",
    sessionStarted: "kindStarted",
    sessionEnded: "kindEnded",
};

export const kindLabel = (post) => {
    const key = kindLabels[post.kind] ?? (post.keyMoment ? "kindKeyMoment" : null);
    return key ? t(key) : null;
};

/** "2024-11-04T14:03:00Z", the form the server writes in datetime attributes. */
export const isoSeconds = (instant) => new Date(instant).toISOString().replace(/\.\d{3}Z$/, "Z");

/** Creates an element; attributes with null/undefined/false values are left out; children are nodes or text. */
export function el(tag, attributes = {}, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
        if (value === null || value === undefined || value === false) {
            continue;
        }
        if (name === "class") {
            element.className = value;
        } else {
            element.setAttribute(name, value === true ? "" : String(value));
        }
    }
    for (const child of children.flat()) {
        if (child !== null && child !== undefined && child !== false) {
            element.append(child instanceof Node ? child : String(child));
        }
    }
    return element;
}

/** The body in the page's language when the update has it (as Localisation/Bilingual.Pick on the server), and its lang attribute if it differs. */
function shownBody(post) {
    const welshPage = locale === "cy";
    if (welshPage && post.htmlCy) {
        return { html: post.htmlCy, lang: null };
    }
    if (post.html || !post.htmlCy) {
        return { html: post.html ?? "", lang: welshPage ? "en-GB" : null };
    }
    return { html: post.htmlCy, lang: welshPage ? null : "cy" };
}

function bodyHtml(html) {
    const template = document.createElement("template");
    // Sanitised on the server (see above); parsed inert in a template, then moved into the page.
    template.innerHTML = html;
    return template.content;
}

/**
 * An <article class="live-post"> for the post. `idPrefix` distinguishes the copy in the pinned slot
 * ("pinned-") from the one in the feed, as on the server.
 */
export function renderPost(post, { timeZone, idPrefix = "" }) {
    const id = `${idPrefix}post-${post.sequence}`;
    const classes = ["live-post", `kind-${post.kind.toLowerCase()}`];
    if (post.keyMoment) {
        classes.push("key-moment");
    }
    if (post.pinned) {
        classes.push("is-pinned");
    }
    const label = kindLabel(post);
    const time = el("time", { datetime: isoSeconds(post.createdAt), title: fullTime(post.createdAt, timeZone) }, clockTime(post.createdAt, timeZone));
    const header = el("header", {},
        el("a", { class: "permalink", href: post.permalink, id: `${id}-time` }, time),
        label ? el("span", { class: "post-kind" }, label) : null,
        post.editedAt ? el("span", { class: "edited", title: t("editedAt", { time: fullTime(post.editedAt, timeZone) }) }, t("edited")) : null);

    let body;
    const shown = shownBody(post);
    if (post.kind === "quote" && post.speaker) {
        body = el("figure", { class: "post-body post-quote", lang: shown.lang },
            el("blockquote", {}, bodyHtml(shown.html)),
            el("figcaption", {}, "— ", post.speaker.pageUrl
                ? el("a", { class: "speaker-link", href: post.speaker.pageUrl }, post.speaker.name)
                : post.speaker.name));
    } else {
        body = el("div", { class: "post-body", lang: shown.lang }, bodyHtml(shown.html));
    }

    const images = (post.images ?? []).map((image) =>
        el("figure", { class: "post-image" },
            el("img", { src: image.url, alt: image.altText, width: image.width, height: image.height, loading: "lazy" })));
    const link = post.linkUrl
        ? el("p", { class: "post-link" }, el("a", { href: post.linkUrl, rel: "nofollow noopener ugc" }, post.linkUrl))
        : null;

    return el("article", {
        class: classes.join(" "),
        id,
        "data-post-id": post.id,
        "data-change": post.changeSequence,
        "data-sequence": post.sequence,
        "aria-labelledby": `${id}-time`,
        tabindex: "-1",
    }, header, body, images, link);
}

/** The plain text of a post element's body (for share texts), whitespace collapsed. */
export function postText(article) {
    const body = article.querySelector(".post-body");
    return (body?.textContent ?? "").replace(/\s+/g, " ").trim();
}
