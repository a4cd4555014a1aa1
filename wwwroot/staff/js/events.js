// Staff events list: every event, drafts included, soonest first.
import { announce, describeFailure, formatLocal, get, h, requireStaff } from "./api.js";

const status = document.getElementById("page-status");
const statusLabels = { scheduled: "Scheduled", postponed: "Postponed", cancelled: "Cancelled" };

function row(event) {
    const editUrl = `/staff/event?slug=${encodeURIComponent(event.slug)}`;
    return h("tr", {},
        h("td", { "data-label": "Event" },
            h("span", {},
                h("a", { class: "row-title", href: editUrl }, event.title),
                h("br"),
                h("span", { class: "meta" }, event.venue?.name ?? "Online"))),
        h("td", { "data-label": "When" },
            h("span", {}, formatLocal(event.when.startsAtLocal), h("br"), h("span", { class: "zone" }, event.when.timeZone))),
        h("td", { "data-label": "Status" },
            h("span", {}, h("span", { class: `badge badge-${event.status}` }, statusLabels[event.status] ?? event.status))),
        h("td", { "data-label": "Visibility" },
            h("span", {}, event.isPublished
                ? h("span", { class: "badge badge-published" }, "Published")
                : h("span", { class: "badge badge-draft" }, "Draft"))),
        h("td", { class: "cell-actions" },
            h("a", { class: "button button-small", href: editUrl, "aria-label": `Edit ${event.title}` }, "Edit"),
            event.isPublished
                ? h("a", { class: "button button-small button-secondary", href: event.pageUrl, "aria-label": `View ${event.title} on the public site` }, "View")
                : null,
            event.isPublished
                ? h("a", { class: "button button-small button-secondary", href: `/staff/live/${encodeURIComponent(event.slug)}`, "aria-label": `Live console for ${event.title}` }, "Live console")
                : null,
            event.isPublished
                ? h("a", { class: "button button-small button-secondary", href: `/staff/recap/${encodeURIComponent(event.slug)}`, "aria-label": `Recaps for ${event.title}` }, "Recaps")
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
        announce(status, `Deleted “${deleted}”.`);
        history.replaceState(null, "", location.pathname);
    }
} catch (error) {
    announce(status, describeFailure(error), { error: true });
} finally {
    document.getElementById("loading").hidden = true;
}
