// Venues: list, add, edit, delete (a venue in use by an event cannot be deleted).
import { announce, del, describeFailure, get, h, numberOrText, post, put, requireStaff, submitting, text } from "./api.js";
import { t } from "/js/strings.js";

const form = document.getElementById("venue-form");
const pageStatus = document.getElementById("page-status");
let editingSlug = null;

function resetForm() {
    editingSlug = null;
    form.reset();
    document.getElementById("venue-form-heading").textContent = t("staffAddAVenue");
    document.getElementById("save-venue").textContent = t("staffAddVenue");
    document.getElementById("cancel-venue-edit").hidden = true;
}

function edit(venue) {
    editingSlug = venue.slug;
    const f = form.elements;
    f.name.value = venue.name;
    f.slug.value = venue.slug;
    f.address.value = venue.address ?? "";
    f.mapUrl.value = venue.mapUrl ?? "";
    f.timeZone.value = venue.timeZone ?? "";
    f.latitude.value = venue.latitude ?? "";
    f.longitude.value = venue.longitude ?? "";
    f.accessibilityNotes.value = venue.accessibilityNotes ?? "";
    document.getElementById("venue-form-heading").textContent = t("staffEditVenue", { name: venue.name });
    document.getElementById("save-venue").textContent = t("staffSaveVenue");
    document.getElementById("cancel-venue-edit").hidden = false;
    form.scrollIntoView({ block: "start" });
    f.name.focus();
}

async function remove(venue) {
    if (!confirm(t("staffConfirmDeleteVenue", { name: venue.name }))) {
        return;
    }
    try {
        await del(`/api/venues/${encodeURIComponent(venue.slug)}`);
        if (editingSlug === venue.slug) {
            resetForm();
        }
        await load();
        announce(pageStatus, t("staffDeletedName", { name: venue.name }));
    } catch (error) {
        announce(pageStatus, describeFailure(error), { error: true });
    }
}

function row(venue) {
    return h("tr", { id: `venue-${venue.slug}` },
        h("td", { "data-label": t("staffColumnName") }, h("a", { class: "row-title", href: venue.pageUrl }, venue.name)),
        h("td", { "data-label": t("staffColumnAddress") }, h("span", {}, venue.address ?? "")),
        h("td", { "data-label": t("staffColumnTimeZone") }, h("span", {}, venue.timeZone ?? "")),
        h("td", { class: "cell-actions" },
            h("button", { type: "button", class: "button-small button-secondary", "aria-label": t("staffEditName", { name: venue.name }), onclick: () => edit(venue) }, t("staffEdit")),
            h("button", { type: "button", class: "button-small button-danger", "aria-label": t("staffDeleteName", { name: venue.name }), onclick: () => remove(venue) }, t("staffDelete"))));
}

async function load() {
    const venues = await get("/api/venues");
    document.getElementById("venues-body").replaceChildren(...venues.map(row));
    document.getElementById("venues-table").hidden = venues.length === 0;
    document.getElementById("no-venues").hidden = venues.length > 0;
}

form.addEventListener("submit", async (event) => {
    event.preventDefault();
    announce(pageStatus, "");
    await submitting(form, async () => {
        const body = {
            name: text(form, "name"),
            slug: text(form, "slug"),
            address: text(form, "address"),
            mapUrl: text(form, "mapUrl"),
            timeZone: text(form, "timeZone"),
            latitude: numberOrText(form, "latitude"),
            longitude: numberOrText(form, "longitude"),
            accessibilityNotes: text(form, "accessibilityNotes"),
        };
        const saved = editingSlug ? await put(`/api/venues/${encodeURIComponent(editingSlug)}`, body) : await post("/api/venues", body);
        const verb = editingSlug ? "staffSavedName" : "staffAddedName";
        resetForm();
        await load();
        announce(pageStatus, t(verb, { name: saved.name }));
        form.elements.name.focus();
    });
});

document.getElementById("cancel-venue-edit").addEventListener("click", () => {
    resetForm();
    form.elements.name.focus();
});

try {
    await requireStaff();
    await load();
} catch (error) {
    announce(pageStatus, describeFailure(error), { error: true });
} finally {
    document.getElementById("loading").hidden = true;
}
