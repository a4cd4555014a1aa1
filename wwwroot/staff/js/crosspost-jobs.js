// Cross-posting jobs (admins): the Bluesky outbox per stream, which Hangfire's dashboard (/staff/hangfire) cannot show, and a summary of Hangfire.
import { announce, describeFailure, get, h, post, requireStaff } from "./api.js";

const pageStatus = document.getElementById("page-status");
const when = (iso) => (iso ? new Date(iso).toLocaleString() : "—");
const postLabel = (item) => `Post ${item.postSequence}${item.partCount > 1 ? ` (part ${item.part + 1}/${item.partCount})` : ""} · ${item.action}`;
const empty = (columns, message) => h("tr", {}, h("td", { colspan: columns }, message));

async function act(url, done) {
    announce(pageStatus, "");
    try {
        await post(url);
        announce(pageStatus, done);
        await load();
    } catch (error) {
        announce(pageStatus, describeFailure(error), { error: true });
    }
}

function failedRow(item) {
    return h("tr", {},
        h("td", { "data-label": "Post" }, postLabel(item)),
        h("td", { "data-label": "Attempts" }, String(item.attempts)),
        h("td", { "data-label": "Reason" }, item.lastError ?? ""),
        h("td", { class: "cell-actions" },
            item.canRetry ? h("button", { type: "button", class: "button-small", onclick: () => act(`/api/crosspost/${item.id}/retry`, "Queued again.") }, "Retry") : null,
            item.canSkip ? h("button", { type: "button", class: "button-small button-secondary", onclick: () => act(`/api/crosspost/${item.id}/skip`, "Skipped.") }, "Skip") : null));
}

async function load() {
    const jobs = await get("/api/crosspost/jobs");
    const paused = document.getElementById("paused");
    paused.hidden = !jobs.pausedUntil;
    paused.textContent = jobs.pausedUntil ? `Bluesky rate limit: every stream waits until ${when(jobs.pausedUntil)}.` : "";

    document.getElementById("counts").replaceChildren(...Object.entries(jobs.counts).flatMap(([state, count]) => [h("dt", {}, state), h("dd", {}, String(count))]));
    document.getElementById("queues").replaceChildren(...(jobs.streams.length ? jobs.streams.map((s) => h("tr", {},
        h("td", { "data-label": "Stream" }, s.threadUrl ? h("a", { href: s.threadUrl, rel: "noopener" }, s.sessionTitle ?? s.eventTitle) : (s.sessionTitle ?? s.eventTitle)),
        h("td", { "data-label": "Queued" }, String(s.queued)),
        h("td", { "data-label": "Sending" }, String(s.sending)),
        h("td", { "data-label": "Failed" }, String(s.failed)),
        h("td", { "data-label": "Next attempt" }, when(s.nextAttemptAt)),
        h("td", { "data-label": "Waiting on" }, s.headLastError ? `${s.headLastError} (attempt ${s.headAttempts})` : "—"),
        h("td", { "data-label": "Worker" }, s.leaseOwner ? `${s.leaseOwner} until ${when(s.leaseUntil)}` : "idle"))) : [empty(7, "Nothing is waiting.")]));
    document.getElementById("scheduled").replaceChildren(...(jobs.scheduled.length ? jobs.scheduled.map((item) => h("tr", {},
        h("td", { "data-label": "Post" }, postLabel(item)),
        h("td", { "data-label": "Attempts" }, String(item.attempts)),
        h("td", { "data-label": "Next attempt" }, when(item.nextAttemptAt)),
        h("td", { "data-label": "Last error" }, item.lastError ?? ""))) : [empty(4, "No retries are scheduled.")]));
    document.getElementById("failed").replaceChildren(...(jobs.failed.length ? jobs.failed.map(failedRow) : [empty(4, "Nothing has failed.")]));
    document.getElementById("recurring").replaceChildren(...[...jobs.recurring, ...jobs.pendingTriggers].map((t) => h("tr", {},
        h("td", { "data-label": "Trigger" }, t.key),
        h("td", { "data-label": "Description" }, t.description ?? ""),
        h("td", { "data-label": "State" }, t.state),
        h("td", { "data-label": "Next run" }, when(t.nextFireAt)),
        h("td", { "data-label": "Last run" }, when(t.previousFireAt)))));
    document.getElementById("instances").replaceChildren(...jobs.instances.map((i) => h("tr", {},
        h("td", { "data-label": "Instance" }, i.instanceId, i.isThisInstance ? " (this one)" : ""),
        h("td", { "data-label": "State" }, i.state),
        h("td", { "data-label": "Last check-in" }, when(i.lastCheckIn)),
        h("td", { "data-label": "Check-in interval" }, i.checkInInterval ?? "—"))));
    const s = jobs.scheduler;
    document.getElementById("scheduler").textContent = s
        ? `Hangfire ${s.version}, ${s.clustered ? "clustered" : "single instance"}, ${s.persistent ? "persistent" : "in-memory"} storage (${s.jobStore}), ${s.threadPoolSize} workers, ${s.jobsExecuted} jobs succeeded.`
        : "";
}

document.getElementById("refresh").addEventListener("click", () => load().catch((error) => announce(pageStatus, describeFailure(error), { error: true })));

const me = await requireStaff();
if (!me.isAdmin) {
    document.getElementById("not-admin").hidden = false;
} else {
    document.getElementById("admin-area").hidden = false;
    try {
        await load();
        setInterval(() => load().catch(() => {}), 5000);
    } catch (error) {
        announce(pageStatus, describeFailure(error), { error: true });
    }
}
