// The framed live widget (/embed/live/{slug}, /embed/live/{slug}/sessions/{id}): the server renders the newest
// posts; this keeps them current over the same SignalR client as the full page (live-stream.js), keeps at most
// data-limit posts, opens links in a new tab (never inside the host's frame) and tells the host page its height.

import { t } from "./strings.js";
import { LiveStreamClient, Status } from "./live-stream.js";
import { renderPost } from "./live-render.js";

const stateTexts = { live: t("stateLive"), ended: t("stateEnded"), upcoming: t("stateUpcoming") };
const statusTexts = {
    [Status.connecting]: t("connecting"),
    [Status.live]: "",
    [Status.reconnecting]: t("reconnecting"),
    [Status.offline]: t("offlineShort"),
    [Status.closed]: t("closed"),
};

const root = document.getElementById("embed");
if (root) {
    init(root);
}

function init(root) {
    const feed = document.getElementById("embed-feed");
    const stateLine = document.getElementById("embed-state");
    const connection = document.getElementById("embed-connection");
    const timeZone = root.dataset.timeZone || "UTC";
    const limit = Number(root.dataset.limit) || 20;

    const posts = () => [...feed.querySelectorAll(":scope > article.live-post")];
    const find = (id) => feed.querySelector(`:scope > article.live-post[data-post-id="${CSS.escape(id)}"]`);

    // Links go to a new tab: inside a frame they would replace the widget (or be blocked by the host's sandbox).
    document.addEventListener("click", (event) => {
        const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
        if (link) {
            link.target = "_blank";
            link.rel = [link.rel, "noopener"].filter(Boolean).join(" ");
        }
    });

    function place(article) {
        const sequence = Number(article.dataset.sequence);
        const after = posts().find((other) => Number(other.dataset.sequence) < sequence);
        feed.insertBefore(article, after ?? null);
    }

    function apply({ posts: changed, stream }) {
        for (const post of changed) {
            const existing = find(post.id);
            if (post.deleted) {
                existing?.remove();
                continue;
            }
            const article = renderPost(post, { timeZone });
            if (existing) {
                existing.replaceWith(article);
            } else {
                place(article);
            }
        }
        posts().slice(limit).forEach((old) => old.remove());
        document.getElementById("embed-empty")?.toggleAttribute("hidden", posts().length > 0);
        if (stream?.state) {
            stateLine.textContent = stateTexts[stream.state] ?? stateLine.textContent;
            stateLine.className = `live-state state-${stream.state.toLowerCase()}`;
        }
    }

    const client = new LiveStreamClient({
        stream: root.dataset.streamId,
        lastApplied: Number(root.dataset.through) || 0,
        onChanges: apply,
        onStatus: (status) => {
            root.dataset.connection = status;
            connection.textContent = statusTexts[status] ?? "";
        },
    });
    for (const article of posts()) {
        client.seed(article.dataset.postId, article.dataset.change);
    }

    // The host page may size the frame to its content: it hears {type: "livehub:embed-height", height} on each change.
    if (window.parent !== window && "ResizeObserver" in window) {
        let last = 0;
        new ResizeObserver(() => {
            const height = Math.ceil(document.documentElement.scrollHeight);
            if (height !== last) {
                last = height;
                window.parent.postMessage({ type: "livehub:embed-height", height, src: window.location.href }, "*");
            }
        }).observe(document.body);
    }

    client.start();
}
