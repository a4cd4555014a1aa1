// Share controls under each live post: copy the permalink, the system share sheet where there is one,
// and a Bluesky compose link. Built from the post's own markup, so they work the same for posts rendered
// on the server and posts that arrived over SignalR.

import { t } from "./strings.js";
import { el, postText } from "./live-render.js";

const BLUESKY_INTENT = "https://bsky.app/intent/compose?text=";
const SHARE_TEXT_LIMIT = 200;

function shareText(article) {
    const text = postText(article);
    return text.length > SHARE_TEXT_LIMIT ? `${text.slice(0, SHARE_TEXT_LIMIT - 1).trimEnd()}…` : text;
}

function permalinkOf(article) {
    const link = article.querySelector("a.permalink");
    return link ? new URL(link.getAttribute("href"), location.href).href : location.href;
}

async function copy(button, url) {
    const label = button.textContent;
    try {
        await navigator.clipboard.writeText(url);
        button.textContent = t("linkCopied");
    } catch {
        button.textContent = t("copyFailed");
    }
    setTimeout(() => {
        button.textContent = label;
    }, 2000);
}

/** Adds (or refreshes) the share controls of a post element; returns the element. */
export function addShareControls(article, { title = document.title } = {}) {
    article.querySelector(":scope > .post-share")?.remove();
    const labelledBy = article.getAttribute("aria-labelledby");
    const url = permalinkOf(article);
    const text = shareText(article);
    const copyButton = el("button", { type: "button", class: "link-button share-copy", "aria-describedby": labelledBy }, t("copyLink"));
    copyButton.addEventListener("click", () => copy(copyButton, url));
    let nativeButton = null;
    if (typeof navigator.share === "function") {
        nativeButton = el("button", { type: "button", class: "link-button share-native", "aria-describedby": labelledBy }, t("share"));
        nativeButton.addEventListener("click", () => navigator.share({ title, text, url }).catch(() => {}));
    }
    const bluesky = el("a", {
        class: "share-bluesky",
        href: BLUESKY_INTENT + encodeURIComponent(`${text}\n${url}`),
        target: "_blank",
        rel: "noopener",
        "aria-describedby": labelledBy,
    }, t("postToBluesky"));
    article.append(el("footer", { class: "post-share" }, copyButton, nativeButton, bluesky));
    return article;
}
