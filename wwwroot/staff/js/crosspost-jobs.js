// Cross-posting jobs (admins): the Bluesky outbox per stream, which Hangfire's dashboard (/staff/hangfire) cannot show, and a summary of Hangfire.
import { announce, describeFailure, get, h, post, requireStaff } from "./api.js";
import { locale, t } from "/js/strings.js";

const pageStatus = document.getElementById("page-status");
const when = (iso) => (iso ? new Date(iso).toLocaleString(locale) : "—");
const postLabel = (item) => `${t("staffJobPost", { sequence: item.postSequence })}${item.partCount > 1 ? ` ${t("staffJobPart", { part: item.part + 1, count: item.partCount })}` : ""} · ${item.action}`;
/** The outbox states as the API names them. */
const stateTexts = {
    Queued: t("staffOutboxQueued"), Sending: t("staffOutboxSending"), Posted: t("staffOutboxPosted"), Failed: t("staffOutboxFailed"), Skipped: t("staffOutboxSkipped"),
};
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
        h("td", { "data-label": t("staffColumnPost") }, postLabel(item)),
        h("td", { "data-label": t("staffColumnAttempts") }, String(item.attempts)),
        h("td", { "data-label": t("staffColumnReason") }, item.lastError ?? ""),
        h("td", { class: "cell-actions" },
            item.canRetry ? h("button", { type: "button", class: "button-small", onclick: () => act(`/api/crosspost/${item.id}/retry`, t("staffQueuedAgain")) }, t("staffRetry")) : null,
            item.canSkip ? h("button", { type: "button", class: "button-small button-secondary", onclick: () => act(`/api/crosspost/${item.id}/skip`, t("staffSkipped")) }, t("staffSkip")) : null));
}

async function load() {
    const jobs = await get("/api/crosspost/jobs");
    const paused = document.getElementById("paused");
    paused.hidden = !jobs.pausedUntil;
    paused.textContent = jobs.pausedUntil ? t("staffRateLimitPause", { when: when(jobs.pausedUntil) }) : "";

    document.getElementById("counts").replaceChildren(...Object.entries(jobs.counts).flatMap(([state, count]) => [h("dt", {}, stateTexts[state] ?? state), h("dd", {}, String(count))]));
    document.getElementById("queues").replaceChildren(...(jobs.streams.length ? jobs.streams.map((s) => h("tr", {},
        h("td", { "data-label": t("staffColumnStream") }, s.threadUrl ? h("a", { href: s.threadUrl, rel: "noopener" }, s.sessionTitle ?? s.eventTitle) : (s.sessionTitle ?? s.eventTitle)),
        h("td", { "data-label": t("staffColumnQueued") }, String(s.queued)),
        h("td", { "data-label": t("staffColumnSending") }, String(s.sending)),
        h("td", { "data-label": t("staffColumnFailed") }, String(s.failed)),
        h("td", { "data-label": t("staffColumnNextAttempt") }, when(s.nextAttemptAt)),
        h("td", { "data-label": t("staffColumnWaitingOn") }, s.headLastError ? t("staffWaitingOnAttempt", { error: s.headLastError, attempt: s.headAttempts }) : "—"),
        h("td", { "data-label": t("staffColumnWorker") }, s.leaseOwner ? t("staffWorkerUntil", { worker: s.leaseOwner, when: when(s.leaseUntil) }) : t("staffIdle")))) : [empty(7, t("staffNothingWaiting"))]));
    document.getElementById("scheduled").replaceChildren(...(jobs.scheduled.length ? jobs.scheduled.map((item) => h("tr", {},
        h("td", { "data-label": t("staffColumnPost") }, postLabel(item)),
        h("td", { "data-label": t("staffColumnAttempts") }, String(item.attempts)),
        h("td", { "data-label": t("staffColumnNextAttempt") }, when(item.nextAttemptAt)),
        h("td", { "data-label": t("staffColumnLastError") }, item.lastError ?? ""))) : [empty(4, t("staffNoRetries"))]));
    document.getElementById("failed").replaceChildren(...(jobs.failed.length ? jobs.failed.map(failedRow) : [empty(4, t("staffNothingFailed"))]));
    document.getElementById("recurring").replaceChildren(...[...jobs.recurring, ...jobs.pendingTriggers].map((trigger) => h("tr", {},
        h("td", { "data-label": t("staffColumnTrigger") }, trigger.key),
        h("td", { "data-label": t("staffColumnDescription") }, trigger.description ?? ""),
        h("td", { "data-label": t("staffColumnState") }, trigger.state),
        h("td", { "data-label": t("staffColumnNextRun") }, when(trigger.nextFireAt)),
        h("td", { "data-label": t("staffColumnLastRun") }, when(trigger.previousFireAt)))));
    document.getElementById("instances").replaceChildren(...jobs.instances.map((i) => h("tr", {},
        h("td", { "data-label": t("staffColumnInstance") }, i.instanceId, i.isThisInstance ? ` ${t("staffThisOne")}` : ""),
        h("td", { "data-label": t("staffColumnState") }, i.state),
        h("td", { "data-label": t("staffColumnLastCheckIn") }, when(i.lastCheckIn)),
        h("td", { "data-label": t("staffColumnCheckInInterval") }, i.checkInInterval ?? "—"))));
    const s = jobs.scheduler;
    document.getElementById("scheduler").textContent = s
        ? t("staffSchedulerSummary", {
            version: s.version, mode: s.clustered ? t("staffClustered") : t("staffSingleInstance"), storage: s.persistent ? t("staffPersistent") : t("staffInMemory"),
            store: s.jobStore, workers: s.threadPoolSize, executed: s.jobsExecuted,
        })
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
