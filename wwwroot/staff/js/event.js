// Create or edit one event (/staff/event, or ?slug=... to edit) and its sessions.
import {
    announce, del, describeFailure, formatLocal, get, h, localInputValue, numberOrText, post, put, query,
    requireStaff, submitting, text,
} from "./api.js";
import { t } from "/js/strings.js";

const eventForm = document.getElementById("event-form");
const sessionForm = document.getElementById("session-form");
const pageStatus = document.getElementById("page-status");
const pageTitle = document.getElementById("page-title");

let slug = query("slug");
let current = null; // EventDetailResponse of the saved event
let speakers = [];
let editingSessionId = null;

// ---------------------------------------------------------------------------------------------
// The event form.

function fillEventForm(event) {
    const f = eventForm.elements;
    f.title.value = event.title;
    f.slug.value = event.slug;
    f.summary.value = event.summary ?? "";
    f.description.value = event.description ?? "";
    f.organiser.value = event.organiser ?? "";
    f.liveByline.value = event.liveByline ?? "";
    f.tags.value = event.tags.join(", ");
    f.imageUrl.value = event.imageUrl ?? "";
    f.startsAt.value = localInputValue(event.when.startsAtLocal);
    f.endsAt.value = localInputValue(event.when.endsAtLocal);
    f.timeZone.value = event.when.timeZone;
    f.venueName.value = event.venue?.name ?? "";
    f.venueAddress.value = event.venue?.address ?? "";
    f.venueLatitude.value = event.venue?.latitude ?? "";
    f.venueLongitude.value = event.venue?.longitude ?? "";
    f.onlineUrl.value = event.onlineUrl ?? "";
    f.status.value = event.status;
    f.isPublished.checked = event.isPublished;
}

function eventRequest() {
    const f = eventForm;
    const tags = (f.elements.tags.value || "").split(",").map((t) => t.trim()).filter((t) => t !== "");
    const venue = {
        name: text(f, "venueName"),
        address: text(f, "venueAddress"),
        latitude: numberOrText(f, "venueLatitude"),
        longitude: numberOrText(f, "venueLongitude"),
    };
    return {
        slug: text(f, "slug"),
        title: text(f, "title"),
        summary: text(f, "summary"),
        description: text(f, "description"),
        // datetime-local values ("2026-11-05T11:00") are wall-clock times in the event's zone: sent as they are.
        startsAt: text(f, "startsAt"),
        endsAt: text(f, "endsAt"),
        timeZone: text(f, "timeZone"),
        venue: Object.values(venue).some((v) => v !== null) ? venue : null,
        onlineUrl: text(f, "onlineUrl"),
        status: f.elements.status.value,
        tags,
        organiser: text(f, "organiser"),
        liveByline: text(f, "liveByline"),
        imageUrl: text(f, "imageUrl"),
        isPublished: f.elements.isPublished.checked,
    };
}

function showEvent(event) {
    current = event;
    slug = event.slug;
    pageTitle.textContent = t("staffEditEventTitle", { title: event.title });
    document.title = t("staffPageTitle", { page: event.title });
    document.getElementById("save-event").textContent = t("staffSaveEvent");
    const publicLink = document.getElementById("public-link");
    publicLink.href = event.pageUrl;
    publicLink.hidden = !event.isPublished;
    document.getElementById("sessions-section").hidden = false;
    document.getElementById("danger-zone").hidden = false;
    fillEventForm(event);
    renderSessions(event);
    const sessionRange = [localInputValue(event.when.startsAtLocal), localInputValue(event.when.endsAtLocal)];
    for (const name of ["startsAt", "endsAt"]) {
        sessionForm.elements[name].min = sessionRange[0];
        sessionForm.elements[name].max = sessionRange[1];
    }
    if (!editingSessionId) {
        suggestSessionTimes();
    }
}

eventForm.addEventListener("submit", async (submitEvent) => {
    submitEvent.preventDefault();
    announce(pageStatus, "");
    await submitting(eventForm, async () => {
        const creating = current === null;
        const saved = creating
            ? await post("/api/events", eventRequest())
            : await put(`/api/events/${encodeURIComponent(current.slug)}`, eventRequest());
        history.replaceState(null, "", `/staff/event?slug=${encodeURIComponent(saved.slug)}`);
        showEvent(saved);
        announce(pageStatus, creating
            ? t(saved.isPublished ? "staffCreatedEvent" : "staffCreatedDraft", { title: saved.title })
            : t("staffSavedTitle", { title: saved.title }));
    });
});

document.getElementById("delete-event").addEventListener("click", async () => {
    if (!current || !confirm(t("staffConfirmDeleteEvent", { title: current.title }))) {
        return;
    }
    try {
        await del(`/api/events/${encodeURIComponent(current.slug)}`);
        location.assign(`/staff/?deleted=${encodeURIComponent(current.title)}`);
    } catch (error) {
        announce(pageStatus, describeFailure(error), { error: true });
    }
});

// ---------------------------------------------------------------------------------------------
// Sessions.

const coverageLabels = { upcoming: "", live: t("staffLiveNow"), ended: t("staffCoverageEndedLabel") };
const statusLabels = { postponed: t("staffStatusPostponed"), cancelled: t("staffStatusCancelled") };

function sessionTimes(session) {
    const start = session.when.startsAtLocal;
    const end = session.when.endsAtLocal;
    const sameDay = start.slice(0, 10) === end.slice(0, 10);
    return `${formatLocal(start)}–${sameDay ? end.slice(11, 16) : formatLocal(end)}`;
}

function renderSessions(event) {
    const list = document.getElementById("session-list");
    document.getElementById("no-sessions").hidden = event.sessions.length > 0;
    list.replaceChildren(...event.sessions.map((session) => {
        const details = [session.room, session.track].filter(Boolean).join(" · ");
        const people = [
            session.chair ? t("staffChairNamed", { name: session.chair.name }) : null,
            session.speakers.length > 0 ? t("staffWithNames", { names: session.speakers.map((s) => s.name).join(", ") }) : null,
        ].filter(Boolean).join(". ");
        return h("li", { id: `session-${session.id}` },
            h("div", { class: "session-summary" },
                h("strong", {}, session.title, " ",
                    session.status !== "scheduled" ? h("span", { class: `badge badge-${session.status}` }, statusLabels[session.status] ?? session.status) : null,
                    coverageLabels[session.coverage] ? h("span", { class: session.coverage === "live" ? "badge badge-live" : "badge" }, coverageLabels[session.coverage]) : null),
                h("span", { class: "meta" }, sessionTimes(session), details ? ` · ${details}` : ""),
                people ? h("br") : null,
                people ? h("span", { class: "meta" }, people) : null),
            h("div", { class: "actions" },
                h("button", { type: "button", class: "button-small button-secondary", "aria-label": t("staffEditSessionNamed", { title: session.title }), onclick: () => editSession(session) }, t("staffEdit")),
                h("button", { type: "button", class: "button-small button-danger", "aria-label": t("staffDeleteSessionNamed", { title: session.title }), onclick: () => deleteSession(session) }, t("staffDelete"))));
    }));
}

function renderSpeakerChoices() {
    const chair = sessionForm.elements.chairId;
    chair.replaceChildren(h("option", { value: "" }, t("staffNoChair")), ...speakers.map((s) => h("option", { value: s.id }, s.name)));
    const choices = document.getElementById("speaker-choices");
    choices.replaceChildren(...speakers.map((s) => h("li", {},
        h("label", { class: "check", for: `speaker-${s.id}` },
            h("input", { type: "checkbox", id: `speaker-${s.id}`, name: "speakerIds", value: s.id }),
            h("span", {}, s.name, s.affiliation ? h("span", { class: "meta" }, ` (${s.affiliation})`) : null)))));
    document.getElementById("no-speakers").hidden = speakers.length > 0;
    choices.hidden = speakers.length === 0;
}

/** Proposes the next free slot: from the end of the last session (or the event start), one hour long. */
function suggestSessionTimes() {
    const f = sessionForm.elements;
    if (!current || f.startsAt.value || f.endsAt.value) {
        return;
    }
    const last = current.sessions.at(-1);
    const start = localInputValue(last ? last.when.endsAtLocal : current.when.startsAtLocal);
    const eventEnd = localInputValue(current.when.endsAtLocal);
    const plusHour = new Date(new Date(`${start}:00Z`).getTime() + 3600_000).toISOString().slice(0, 16);
    if (start < eventEnd) {
        f.startsAt.value = start;
        f.endsAt.value = plusHour < eventEnd ? plusHour : eventEnd;
    }
}

function resetSessionForm() {
    editingSessionId = null;
    sessionForm.reset();
    document.getElementById("session-form-heading").textContent = t("staffAddASession");
    document.getElementById("save-session").textContent = t("staffAddSession");
    document.getElementById("cancel-session-edit").hidden = true;
    suggestSessionTimes();
}

function editSession(session) {
    editingSessionId = session.id;
    const f = sessionForm.elements;
    f.title.value = session.title;
    f.description.value = session.description ?? "";
    f.startsAt.value = localInputValue(session.when.startsAtLocal);
    f.endsAt.value = localInputValue(session.when.endsAtLocal);
    f.room.value = session.room ?? "";
    f.track.value = session.track ?? "";
    f.chairId.value = session.chair?.id ?? "";
    f.status.value = session.status;
    f.coverage.value = session.coverage;
    const chosen = new Set(session.speakers.map((s) => s.id));
    for (const box of sessionForm.querySelectorAll("input[name=speakerIds]")) {
        box.checked = chosen.has(box.value);
    }
    document.getElementById("session-form-heading").textContent = t("staffEditSession", { title: session.title });
    document.getElementById("save-session").textContent = t("staffSaveSession");
    document.getElementById("cancel-session-edit").hidden = false;
    sessionForm.scrollIntoView({ block: "start" });
    f.title.focus();
}

async function deleteSession(session) {
    if (!confirm(t("staffConfirmDeleteSession", { title: session.title }))) {
        return;
    }
    try {
        await del(`/api/events/${encodeURIComponent(current.slug)}/sessions/${session.id}`);
        if (editingSessionId === session.id) {
            resetSessionForm();
        }
        await reloadEvent();
        announce(pageStatus, t("staffDeletedSession", { title: session.title }));
    } catch (error) {
        announce(pageStatus, describeFailure(error), { error: true });
    }
}

function sessionRequest() {
    const f = sessionForm;
    return {
        title: text(f, "title"),
        description: text(f, "description"),
        startsAt: text(f, "startsAt"),
        endsAt: text(f, "endsAt"),
        room: text(f, "room"),
        track: text(f, "track"),
        chairId: f.elements.chairId.value || null,
        speakerIds: [...f.querySelectorAll("input[name=speakerIds]:checked")].map((box) => box.value),
        status: f.elements.status.value,
        coverage: f.elements.coverage.value,
    };
}

sessionForm.addEventListener("submit", async (submitEvent) => {
    submitEvent.preventDefault();
    announce(pageStatus, "");
    await submitting(sessionForm, async () => {
        const base = `/api/events/${encodeURIComponent(current.slug)}/sessions`;
        const saved = editingSessionId
            ? await put(`${base}/${editingSessionId}`, sessionRequest())
            : await post(base, sessionRequest());
        const wasEditing = editingSessionId !== null;
        editingSessionId = null;
        sessionForm.reset();
        await reloadEvent();
        resetSessionForm();
        announce(pageStatus, t(wasEditing ? "staffSavedSession" : "staffAddedSession", { title: saved.title }));
    });
});

document.getElementById("cancel-session-edit").addEventListener("click", () => {
    resetSessionForm();
    sessionForm.elements.title.focus();
});

async function reloadEvent() {
    showEvent(await get(`/api/events/${encodeURIComponent(slug)}`));
}

// ---------------------------------------------------------------------------------------------
// Start-up.

function fillTimeZones() {
    const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : ["Europe/London", "UTC"];
    document.getElementById("time-zones").replaceChildren(...zones.map((zone) => h("option", { value: zone })));
}

try {
    await requireStaff();
    fillTimeZones();
    speakers = await get("/api/speakers");
    renderSpeakerChoices();
    if (slug) {
        await reloadEvent();
    } else {
        eventForm.elements.title.focus();
    }
} catch (error) {
    announce(pageStatus, describeFailure(error), { error: true });
    if (slug) {
        eventForm.hidden = true;
    }
}
