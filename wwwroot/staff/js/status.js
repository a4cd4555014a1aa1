// Status (editors and admins): who is watching, whether cross-posts flow, the last errors. Refreshes every 5 s.
import { announce, describeFailure, get, h, requireStaff } from "./api.js";

const pageStatus = document.getElementById("page-status");
const when = (iso) => (iso ? new Date(iso).toLocaleString() : "—");
const empty = (columns, message) => h("tr", {}, h("td", { colspan: columns }, message));

function age(seconds) {
    if (!seconds) {
        return "—";
    }
    return seconds < 120 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`;
}

function summary(status) {
    const cross = status.crossPosting;
    if (status.health === "Unhealthy") {
        return { text: "Something is down: see the checks below.", error: true };
    }
    if (cross.pausedUntil) {
        return { text: `Bluesky's rate limit holds cross-posting until ${when(cross.pausedUntil)}.`, error: true };
    }
    if (cross.failing) {
        return { text: "Bluesky calls are failing; updates wait and are retried. The live page is not affected.", error: true };
    }
    return { text: "Everything is flowing.", error: false };
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
        h("td", { "data-label": "Stream" }, h("a", { href: `/staff/live/${encodeURIComponent(s.eventSlug)}` }, s.sessionTitle ? `${s.eventTitle}: ${s.sessionTitle}` : s.eventTitle)),
        h("td", { "data-label": "Coverage" }, s.state),
        h("td", { "data-label": "Viewers" }, String(s.viewers)),
        h("td", { "data-label": "Updates" }, String(s.posts)),
        h("td", { "data-label": "Last update" }, when(s.lastPostAt)))) : [empty(5, "No coverage is live and nobody is watching.")]));
    document.getElementById("checks").replaceChildren(...Object.entries(status.checks).flatMap(([name, check]) => [
        h("dt", {}, name),
        h("dd", { class: check.status === "Healthy" ? "" : "text-error" }, `${check.status}${check.description ? `: ${check.description}` : ""}`),
    ]));
    document.getElementById("errors").replaceChildren(...(status.crossPosting.lastErrors.length ? status.crossPosting.lastErrors.map((e) => h("tr", {},
        h("td", { "data-label": "When" }, when(e.at)),
        h("td", { "data-label": "State" }, e.state),
        h("td", { "data-label": "Error" }, e.error))) : [empty(3, "No errors.")]));
}

document.getElementById("refresh").addEventListener("click", () => load().catch((error) => announce(pageStatus, describeFailure(error), { error: true })));

await requireStaff();
try {
    await load();
    setInterval(() => load().catch(() => {}), 5000);
} catch (error) {
    announce(pageStatus, describeFailure(error), { error: true });
}
