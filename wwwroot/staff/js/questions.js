// Audience questions (editors): approve, reject, mark answered, merge duplicates. Every text is set as text (h()), never as HTML.
import { locale, t } from "/js/strings.js";
import { announce, describeFailure, get, h, post, requireStaff } from "./api.js";

const pageStatus = document.getElementById("page-status");
const table = document.getElementById("questions");
const filter = document.getElementById("status-filter");
const when = (iso) => (iso ? new Date(iso).toLocaleString(locale) : "—");
let shown = [];
const stateTexts = {
    pending: t("staffQuestionPending"), approved: t("staffQuestionApproved"), rejected: t("staffQuestionRejected"), merged: t("staffQuestionMerged"),
};
const stateText = (status) => stateTexts[status] ?? status;

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
        const onBluesky = t("staffOnBluesky", { handle });
        return q.postUrl ? h("a", { href: q.postUrl, rel: "noopener", target: "_blank" }, onBluesky) : onBluesky;
    }
    return t("staffAnAttendeeLivePage");
}

function mergeControl(q) {
    const others = shown.filter((o) => o.id !== q.id && o.streamId === q.streamId && (o.status === "approved" || o.status === "pending"));
    if (others.length === 0 || q.status === "merged") {
        return null;
    }
    const select = h("select", { "aria-label": t("staffMergeInto") },
        ...others.map((o) => h("option", { value: o.id }, o.text.length > 60 ? `${o.text.slice(0, 60)}…` : o.text)));
    return h("span", { class: "merge" }, select,
        h("button", { type: "button", class: "button-small button-secondary", onclick: () => act(`/api/questions/${q.id}/merge`, { into: select.value }, t("staffMerged")) }, t("staffMergeDuplicate")));
}

function row(q) {
    const actions = [];
    if (q.status !== "approved") {
        actions.push(h("button", { type: "button", class: "button-small", "data-action": "approve", onclick: () => act(`/api/questions/${q.id}/approve`, {}, t("staffApprovedLive")) }, t("staffApprove")));
    }
    if (q.status !== "rejected") {
        actions.push(h("button", { type: "button", class: "button-small button-secondary", "data-action": "reject", onclick: () => act(`/api/questions/${q.id}/reject`, {}, t("staffRejected")) }, t("staffReject")));
    }
    if (q.status === "approved") {
        const answered = Boolean(q.answeredAt);
        actions.push(h("button", { type: "button", class: "button-small button-secondary", "data-action": "answered",
            onclick: () => act(`/api/questions/${q.id}/answered`, { answered: !answered }, answered ? t("staffMarkedNotAnswered") : t("staffMarkedAnswered")) },
            answered ? t("staffNotAnswered") : t("staffMarkAnswered")));
    }
    const text = h("td", { "data-label": t("staffColumnQuestion"), class: "question-text" }, q.text);
    if (q.imageCount > 0) {
        text.append(h("span", { class: "hint" }, ` (${q.imageCount === 1 ? t("staffOneImageOnBluesky") : t("staffImagesOnBluesky", { count: q.imageCount })})`));
    }
    if (q.alsoAsked > 0) {
        text.append(h("span", { class: "hint" }, ` · ${q.alsoAsked === 1 ? t("staffAlsoAskedOnce") : t("staffAlsoAskedTimes", { count: q.alsoAsked })}`));
    }
    return h("tr", { "data-question-id": q.id },
        text,
        h("td", { "data-label": t("staffColumnFrom") }, asker(q)),
        h("td", { "data-label": t("staffColumnSession") }, q.livePageUrl ? h("a", { href: q.livePageUrl }, `${q.eventTitle}: ${q.streamTitle}`) : q.streamTitle),
        h("td", { "data-label": t("staffColumnAsked") }, when(q.askedAt)),
        h("td", { "data-label": t("staffColumnState") }, q.answeredAt ? t("staffQuestionAnsweredState", { state: stateText(q.status) }) : stateText(q.status)),
        h("td", { class: "cell-actions" }, ...actions, mergeControl(q)));
}

async function load() {
    try {
        const status = filter.value;
        shown = await get(`/api/questions${status ? `?status=${encodeURIComponent(status)}` : ""}`);
        table.replaceChildren(...(shown.length ? shown.map(row) : [h("tr", {}, h("td", { colspan: 6 }, t("staffNoQuestions")))]));
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
