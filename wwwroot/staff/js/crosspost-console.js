// Cross-post state for the staff live console: a self-contained module the console can import.
//
//   import { attachCrossPost } from "./crosspost-console.js";
//   const stop = attachCrossPost(streamId, (postId) => document.querySelector(`[data-post-id="${postId}"]`));
//
// It polls GET /api/streams/{id}/crosspost and keeps one badge (`.crosspost-badge`) in each post's element:
// the state, a link to the Bluesky post (its first part when it was split), for a waiting one why and until when,
// and for failed ones the reason and a Retry button (POST /api/crosspost/{itemId}/retry). Nothing is shown when
// cross-posting is off for the event.
import { get, h, post } from "./api.js";
import { locale, t } from "/js/strings.js";

const LABELS = {
    queued: t("staffCrossQueued"), sending: t("staffCrossSending"), posted: t("staffCrossPosted"), failed: t("staffCrossFailed"),
    skipped: t("staffCrossSkipped"), deleted: t("staffCrossDeleted"), replaced: t("staffCrossReplaced"),
};
const WAITS = {
    rateLimit: t("staffWaitRateLimit"), backoff: t("staffWaitBackoff"), lease: t("staffWaitLease"), order: t("staffWaitOrder"), due: t("staffWaitDue"),
};
const when = (iso) => new Date(iso).toLocaleTimeString(locale);

/** "retrying until 14:02:10: <detail>" for a waiting post or stream, "" when nothing waits. */
export function waitText(wait) {
    if (!wait) {
        return "";
    }
    const reason = WAITS[wait.reason] ?? wait.reason;
    return `${wait.until ? t("staffWaitUntil", { reason, when: when(wait.until) }) : reason}: ${wait.detail}`;
}

/** The stream's cross-post state: `{ enabled, connected, threadUrl, posts: Map(postId → post state) }`. */
export async function loadCrossPost(streamId) {
    const state = await get(`/api/streams/${encodeURIComponent(streamId)}/crosspost`);
    return { ...state, posts: new Map(state.posts.map((p) => [p.postId, p])) };
}

/** Queues a failed or skipped item again. */
export const retryCrossPost = (itemId) => post(`/api/crosspost/${encodeURIComponent(itemId)}/retry`);

/** A badge element for one post's state; `onRetried` runs after a successful retry. */
export function crossPostBadge(postState, onRetried) {
    const badge = h("span", { class: `crosspost-badge crosspost-${postState.state}`, dataset: { state: postState.state } },
        postState.blueskyUrl
            ? h("a", { href: postState.blueskyUrl, target: "_blank", rel: "noopener" }, LABELS[postState.state])
            : LABELS[postState.state] ?? postState.state);
    if (postState.wait && (postState.state === "queued" || postState.state === "sending")) {
        badge.append(" ", h("span", { class: "crosspost-reason" }, waitText(postState.wait)));
    }
    if (postState.state === "failed") {
        const failed = postState.items.find((i) => i.state === "failed" && i.canRetry);
        badge.append(" ", h("span", { class: "crosspost-reason" }, postState.lastError ?? ""));
        if (failed) {
            badge.append(" ", h("button", {
                type: "button", class: "button-small",
                onclick: async (event) => {
                    event.target.disabled = true;
                    try {
                        await retryCrossPost(failed.id);
                        onRetried?.();
                    } finally {
                        event.target.disabled = false;
                    }
                },
            }, t("staffRetry")));
        }
    }
    return badge;
}

/** One line on the stream's queue while Bluesky holds posts back (outage, rate limit); empty when nothing waits. */
export function queueSummary(state) {
    if (!state.pending || !state.wait || state.wait.reason === "due") {
        return "";
    }
    const waiting = state.pending === 1 ? t("staffOnePostWaits") : t("staffPostsWait", { count: state.pending });
    return `${waiting} ${t("staffNowWaiting", { wait: waitText(state.wait) })}`.trim();
}

/**
 * Keeps a badge in each post element up to date. `elementFor(postId)` returns the post's element (or null).
 * `statusElement`, if given, shows the queue summary. Returns a function that stops the polling.
 */
export function attachCrossPost(streamId, elementFor, { intervalMs = 5000, statusElement = null } = {}) {
    let timer = null;
    let stopped = false;
    const refresh = async () => {
        clearTimeout(timer);
        try {
            const state = await loadCrossPost(streamId);
            if (statusElement) {
                statusElement.textContent = queueSummary(state);
                statusElement.hidden = !statusElement.textContent;
            }
            if (state.enabled || state.posts.size > 0) {
                for (const [postId, postState] of state.posts) {
                    const element = elementFor(postId);
                    if (!element) {
                        continue;
                    }
                    const badge = crossPostBadge(postState, refresh);
                    const old = element.querySelector(":scope .crosspost-badge");
                    if (old) {
                        old.replaceWith(badge);
                    } else {
                        element.append(badge);
                    }
                }
            }
        } catch {
            // Best effort: the console itself keeps working without the badges.
        }
        if (!stopped) {
            timer = setTimeout(refresh, intervalMs);
        }
    };
    refresh();
    return () => {
        stopped = true;
        clearTimeout(timer);
        if (statusElement) {
            statusElement.hidden = true;
        }
    };
}
