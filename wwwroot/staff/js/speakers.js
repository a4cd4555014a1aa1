// Speakers: list, add, edit, delete.
import { announce, del, describeFailure, get, h, post, put, requireStaff, submitting, text } from "./api.js";
import { t } from "/js/strings.js";

const form = document.getElementById("speaker-form");
const pageStatus = document.getElementById("page-status");
let editingId = null;

function resetForm() {
    editingId = null;
    form.reset();
    document.getElementById("speaker-form-heading").textContent = t("staffAddASpeaker");
    document.getElementById("save-speaker").textContent = t("staffAddSpeaker");
    document.getElementById("cancel-speaker-edit").hidden = true;
}

function edit(speaker) {
    editingId = speaker.id;
    const f = form.elements;
    f.name.value = speaker.name;
    f.role.value = speaker.role ?? "";
    f.affiliation.value = speaker.affiliation ?? "";
    f.blueskyHandle.value = speaker.blueskyHandle ?? "";
    f.bio.value = speaker.bio ?? "";
    f.photoUrl.value = speaker.photoUrl ?? "";
    f.photoAltText.value = speaker.photoAltText ?? "";
    f.links.value = (speaker.links ?? []).join("\n");
    document.getElementById("speaker-form-heading").textContent = t("staffEditSpeaker", { name: speaker.name });
    document.getElementById("save-speaker").textContent = t("staffSaveSpeaker");
    document.getElementById("cancel-speaker-edit").hidden = false;
    form.scrollIntoView({ block: "start" });
    f.name.focus();
}

async function remove(speaker) {
    if (!confirm(t("staffConfirmDeleteSpeaker", { name: speaker.name }))) {
        return;
    }
    try {
        await del(`/api/speakers/${speaker.id}`);
        if (editingId === speaker.id) {
            resetForm();
        }
        await load();
        announce(pageStatus, t("staffDeletedName", { name: speaker.name }));
    } catch (error) {
        announce(pageStatus, describeFailure(error), { error: true });
    }
}

function row(speaker) {
    return h("tr", { id: `speaker-${speaker.id}` },
        h("td", { "data-label": t("staffColumnName") }, h("span", { class: "row-title" }, speaker.name)),
        h("td", { "data-label": t("staffColumnRole") }, h("span", {}, [speaker.role, speaker.affiliation].filter(Boolean).join(", "))),
        h("td", { "data-label": t("staffColumnBluesky") }, h("span", {}, speaker.blueskyHandle ? `@${speaker.blueskyHandle}` : "")),
        h("td", { class: "cell-actions" },
            h("button", { type: "button", class: "button-small button-secondary", "aria-label": t("staffEditName", { name: speaker.name }), onclick: () => edit(speaker) }, t("staffEdit")),
            h("button", { type: "button", class: "button-small button-danger", "aria-label": t("staffDeleteName", { name: speaker.name }), onclick: () => remove(speaker) }, t("staffDelete"))));
}

async function load() {
    const speakers = await get("/api/speakers");
    document.getElementById("speakers-body").replaceChildren(...speakers.map(row));
    document.getElementById("speakers-table").hidden = speakers.length === 0;
    document.getElementById("no-speakers").hidden = speakers.length > 0;
}

form.addEventListener("submit", async (event) => {
    event.preventDefault();
    announce(pageStatus, "");
    await submitting(form, async () => {
        const body = {
            name: text(form, "name"),
            role: text(form, "role"),
            affiliation: text(form, "affiliation"),
            blueskyHandle: text(form, "blueskyHandle"),
            bio: text(form, "bio"),
            photoUrl: text(form, "photoUrl"),
            photoAltText: text(form, "photoAltText"),
            links: (form.elements.links.value || "").split("\n").map((line) => line.trim()).filter(Boolean),
        };
        const saved = editingId ? await put(`/api/speakers/${editingId}`, body) : await post("/api/speakers", body);
        const verb = editingId ? "staffSavedName" : "staffAddedName";
        resetForm();
        await load();
        announce(pageStatus, t(verb, { name: saved.name }));
        form.elements.name.focus();
    });
});

document.getElementById("cancel-speaker-edit").addEventListener("click", () => {
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
