// Status (editors and admins): who is watching, whether cross-posts flow, the last errors. Refreshes every 5 s.
import { announce, describeFailure, get, h, requireStaff } from "./api.js";
import { locale, t } from "/js/strings.js";

const pageStatus = document.getElementById("page-status");
const when = (iso) => (iso ? new Date(iso).toLocaleString(locale) : "—");
/** The API's names of coverage, outbox and health states. */
const coverageTexts = { Live: t("staffStateLive"), Ended: t("staffStateEnded"), Upcoming: t("staffCoverageUpcoming") };
const outboxTexts = {
    Queued: t("staffOutboxQueued"), Sending: t("staffOutboxSending"), Posted: t("staffOutboxPosted"), Failed: t("staffOutboxFailed"), Skipped: t("staffOutboxSkipped"),
};
const healthTexts = { Healthy: t("staffHealthHealthy"), Degraded: t("staffHealthDegraded"), Unhealthy: t("staffHealthUnhealthy") };
const empty = (columns, message) => h("tr", {}, h("td", { colspan: columns }, message));

function age(seconds) {
    if (!seconds) {
        return "—";
    }
    return seconds < 120 ? t("staffSeconds", { count: Math.round(seconds) }) : t("staffMinutes", { count: Math.round(seconds / 60) });
}

function summary(status) {
    const cross = status.crossPosting;
    if (status.health === "Unhealthy") {
        return { text: t("staffSomethingDown"), error: true };
    }
    if (cross.pausedUntil) {
        return { text: t("staffRateLimitHolds", { when: when(cross.pausedUntil) }), error: true };
    }
    if (cross.failing) {
        return { text: t("staffBlueskyFailing"), error: true };
    }
    return { text: t("staffAllFlowing"), error: false };
}

async function load() {
    const status = await get("/api/status");
    const overall = summary(status);
    const banner = document.getElementById("overall");
    banner.textContent = overall.text;
    banner.classList.toggle("notice-error", overall.error);

    document.getElementById("viewers").textContent = String(status.viewers);
    document.getElementById("queued").textContent = String(status.crossPosting.queued);
    document.getElementById("oldest").textContent = age(status.crossPosting.oldestQueuedSeconds);
    document.getElementById("streams").replaceChildren(...(status.streams.length ? status.streams.map((s) => h("tr", {},
        h("td", { "data-label": t("staffColumnStream") }, h("a", { href: `/staff/live/${encodeURIComponent(s.eventSlug)}` }, s.sessionTitle ? `${s.eventTitle}: ${s.sessionTitle}` : s.eventTitle)),
        h("td", { "data-label": t("staffColumnCoverage") }, coverageTexts[s.state] ?? s.state),
        h("td", { "data-label": t("staffColumnViewers") }, String(s.viewers)),
        h("td", { "data-label": t("staffColumnUpdates") }, String(s.posts)),
        h("td", { "data-label": t("staffColumnLastUpdate") }, when(s.lastPostAt)))) : [empty(5, t("staffNothingLive"))]));
    document.getElementById("checks").replaceChildren(...Object.entries(status.checks).flatMap(([name, check]) => [
        h("dt", {}, name),
        h("dd", { class: check.status === "Healthy" ? "" : "text-error" }, `${healthTexts[check.status] ?? check.status}${check.description ? `: ${check.description}` : ""}`),
    ]));
    document.getElementById("errors").replaceChildren(...(status.crossPosting.lastErrors.length ? status.crossPosting.lastErrors.map((e) => h("tr", {},
        h("td", { "data-label": t("staffColumnWhen") }, when(e.at)),
        h("td", { "data-label": t("staffColumnState") }, outboxTexts[e.state] ?? e.state),
        h("td", { "data-label": t("staffColumnError") }, e.error))) : [empty(3, t("staffNoErrors"))]));
}

document.getElementById("refresh").addEventListener("click", () => load().catch((error) => announce(pageStatus, describeFailure(error), { error: true })));

await requireStaff();
try {
    await load();
    setInterval(() => load().catch(() => {}), 5000);
} catch (error) {
    announce(pageStatus, describeFailure(error), { error: true });
}
