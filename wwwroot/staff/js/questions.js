// Audience questions (editors): approve, reject, mark answered, merge duplicates. Every text is set as text (h()), never as HTML.
import { announce, describeFailure, get, h, post, requireStaff } from "./api.js";

const pageStatus = document.getElementById("page-status");
const table = document.getElementById("questions");
const filter = document.getElementById("status-filter");
const when = (iso) => (iso ? new Date(iso).toLocaleString() : "—");
let shown = [];

async function act(url, body, done) {
    announce(pageStatus, "");
    try {
        await post(url, body);
        announce(pageStatus, done);
        await load();
    } catch (error) {
        announce(pageStatus, describeFailure(error), { error: true });
    }
}

function asker(q) {
    if (q.source === "bluesky") {
        const handle = q.authorHandle ? `@${q.authorHandle}` : q.authorDid ?? "Bluesky";
        return q.postUrl ? h("a", { href: q.postUrl, rel: "noopener", target: "_blank" }, `${handle} on Bluesky`) : `${handle} on Bluesky`;
    }
    return "an attendee (live page)";
}

function mergeControl(q) {
    const others = shown.filter((o) => o.id !== q.id && o.streamId === q.streamId && (o.status === "approved" || o.status === "pending"));
    if (others.length === 0 || q.status === "merged") {
        return null;
    }
    const select = h("select", { "aria-label": "Merge into" },
        ...others.map((o) => h("option", { value: o.id }, o.text.length > 60 ? `${o.text.slice(0, 60)}…` : o.text)));
    return h("span", { class: "merge" }, select,
        h("button", { type: "button", class: "button-small button-secondary", onclick: () => act(`/api/questions/${q.id}/merge`, { into: select.value }, "Merged.") }, "Merge as duplicate"));
}

function row(q) {
    const actions = [];
    if (q.status !== "approved") {
        actions.push(h("button", { type: "button", class: "button-small", "data-action": "approve", onclick: () => act(`/api/questions/${q.id}/approve`, {}, "Approved: it is on the live page now.") }, "Approve"));
    }
    if (q.status !== "rejected") {
        actions.push(h("button", { type: "button", class: "button-small button-secondary", "data-action": "reject", onclick: () => act(`/api/questions/${q.id}/reject`, {}, "Rejected.") }, "Reject"));
    }
    if (q.status === "approved") {
        const answered = Boolean(q.answeredAt);
        actions.push(h("button", { type: "button", class: "button-small button-secondary", "data-action": "answered",
            onclick: () => act(`/api/questions/${q.id}/answered`, { answered: !answered }, answered ? "Marked not answered." : "Marked answered.") },
            answered ? "Not answered" : "Mark answered"));
    }
    const text = h("td", { "data-label": "Question", class: "question-text" }, q.text);
    if (q.imageCount > 0) {
        text.append(h("span", { class: "hint" }, ` (${q.imageCount} image${q.imageCount > 1 ? "s" : ""} on Bluesky)`));
    }
    if (q.alsoAsked > 0) {
        text.append(h("span", { class: "hint" }, ` · also asked ${q.alsoAsked} more time${q.alsoAsked > 1 ? "s" : ""}`));
    }
    return h("tr", { "data-question-id": q.id },
        text,
        h("td", { "data-label": "From" }, asker(q)),
        h("td", { "data-label": "Session" }, q.livePageUrl ? h("a", { href: q.livePageUrl }, `${q.eventTitle}: ${q.streamTitle}`) : q.streamTitle),
        h("td", { "data-label": "Asked" }, when(q.askedAt)),
        h("td", { "data-label": "State" }, q.answeredAt ? `${q.status}, answered` : q.status),
        h("td", { class: "cell-actions" }, ...actions, mergeControl(q)));
}

async function load() {
    try {
        const status = filter.value;
        shown = await get(`/api/questions${status ? `?status=${encodeURIComponent(status)}` : ""}`);
        table.replaceChildren(...(shown.length ? shown.map(row) : [h("tr", {}, h("td", { colspan: 6 }, "No questions here."))]));
    } catch (error) {
        announce(pageStatus, describeFailure(error), { error: true });
    }
}

await requireStaff();
filter.addEventListener("change", load);
document.getElementById("refresh").addEventListener("click", load);
await load();
setInterval(() => {
    // Not while a moderator is choosing in a merge list: the rows would be rebuilt under them.
    if (!table.contains(document.activeElement)) {
        load();
    }
}, 10_000);
