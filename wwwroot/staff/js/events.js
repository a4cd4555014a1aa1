// Staff events list: every event, drafts included, soonest first.
import { announce, describeFailure, formatLocal, get, h, requireStaff } from "./api.js";
import { t } from "/js/strings.js";

const status = document.getElementById("page-status");
const statusLabels = { scheduled: t("staffStatusScheduled"), postponed: t("staffStatusPostponed"), cancelled: t("staffStatusCancelled") };

function row(event) {
    const editUrl = `/staff/event?slug=${encodeURIComponent(event.slug)}`;
    return h("tr", {},
        h("td", { "data-label": t("staffColumnEvent") },
            h("span", {},
                h("a", { class: "row-title", href: editUrl }, event.title),
                h("br"),
                h("span", { class: "meta" }, event.venue?.name ?? t("staffOnline")))),
        h("td", { "data-label": t("staffColumnWhenEvent") },
            h("span", {}, formatLocal(event.when.startsAtLocal), h("br"), h("span", { class: "zone" }, event.when.timeZone))),
        h("td", { "data-label": t("staffColumnStatus") },
            h("span", {}, h("span", { class: `badge badge-${event.status}` }, statusLabels[event.status] ?? event.status))),
        h("td", { "data-label": t("staffColumnVisibility") },
            h("span", {}, event.isPublished
                ? h("span", { class: "badge badge-published" }, t("staffPublishedBadge"))
                : h("span", { class: "badge badge-draft" }, t("staffDraftBadge")))),
        h("td", { class: "cell-actions" },
            h("a", { class: "button button-small", href: editUrl, "aria-label": t("staffEditName", { name: event.title }) }, t("staffEdit")),
            event.isPublished
                ? h("a", { class: "button button-small button-secondary", href: event.pageUrl, "aria-label": t("staffViewName", { title: event.title }) }, t("staffView"))
                : null,
            event.isPublished
                ? h("a", { class: "button button-small button-secondary", href: `/staff/live/${encodeURIComponent(event.slug)}`, "aria-label": t("staffLiveConsoleFor", { title: event.title }) }, t("staffLiveConsole"))
                : null,
            event.isPublished
                ? h("a", { class: "button button-small button-secondary", href: `/staff/recap/${encodeURIComponent(event.slug)}`, "aria-label": t("staffRecapsFor", { title: event.title }) }, t("staffRecaps"))
                : null));
}

try {
    await requireStaff();
    const events = [];
    for (let number = 1; ; number++) {
        const page = await get(`/api/events?includeDrafts=true&pageSize=100&page=${number}`);
        events.push(...page.items);
        if (page.items.length === 0 || events.length >= page.total) {
            break;
        }
    }
    document.getElementById("events-body").replaceChildren(...events.map(row));
    document.getElementById("events-table").hidden = events.length === 0;
    document.getElementById("no-events").hidden = events.length > 0;
    const deleted = new URLSearchParams(location.search).get("deleted");
    if (deleted) {
        announce(status, t("staffDeletedQuoted", { title: deleted }));
        history.replaceState(null, "", location.pathname);
    }
} catch (error) {
    announce(status, describeFailure(error), { error: true });
} finally {
    document.getElementById("loading").hidden = true;
}
