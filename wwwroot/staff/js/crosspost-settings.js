// Bluesky cross-posting settings (admins): the hub's account, default hashtags and language, and per-event switches.
import { announce, del, describeFailure, get, h, put, requireStaff, submitting, text } from "./api.js";

const pageStatus = document.getElementById("page-status");
const accountForm = document.getElementById("account-form");
const defaultsForm = document.getElementById("defaults-form");
const disconnect = document.getElementById("disconnect");

function showSettings(settings) {
    const state = document.getElementById("account-state");
    if (settings.account) {
        const since = settings.account.connectedAt ? ` since ${new Date(settings.account.connectedAt).toLocaleString()}` : "";
        state.textContent = `Connected as @${settings.account.handle} (${settings.account.did})${since}. Posts go to ${settings.serviceUrl}.`;
    } else {
        state.textContent = `No account is connected: nothing is cross-posted. Posts will go to ${settings.serviceUrl}.`;
    }
    if (!settings.publicBaseUrl) {
        state.textContent += " The hub's public address (CrossPosting:PublicBaseUrl) is not set, so threads start without a link card.";
    }
    disconnect.hidden = !settings.account;
    defaultsForm.elements.defaultHashtags.value = settings.defaultHashtags ?? "";
    defaultsForm.elements.defaultLanguage.value = settings.defaultLanguage ?? "";
}

function eventRow(item) {
    const enabled = h("input", { type: "checkbox", id: `enabled-${item.eventId}`, checked: item.enabled });
    const mode = h("select", { id: `mode-${item.eventId}`, "aria-label": `Edits in ${item.title}` },
        h("option", { value: "correctionReply", selected: item.editMode === "correctionReply" }, "Reply with a correction"),
        h("option", { value: "deleteAndRepost", selected: item.editMode === "deleteAndRepost" }, "Delete and post again"));
    const hashtags = h("input", { type: "text", value: item.hashtags ?? "", "aria-label": `Hashtags for ${item.title}` });
    return h("tr", {},
        h("td", { "data-label": "Event" }, h("span", { class: "row-title" }, item.title)),
        h("td", { "data-label": "Cross-post" }, h("label", { for: enabled.id }, enabled, " On")),
        h("td", { "data-label": "Edits" }, mode),
        h("td", { "data-label": "Hashtags" }, hashtags),
        h("td", { class: "cell-actions" }, h("button", {
            type: "button", class: "button-small", "aria-label": `Save cross-posting for ${item.title}`,
            onclick: async () => {
                announce(pageStatus, "");
                try {
                    await put(`/api/crosspost/events/${encodeURIComponent(item.slug)}`, {
                        enabled: enabled.checked, editMode: mode.value, hashtags: hashtags.value.trim() || null, language: item.language,
                    });
                    announce(pageStatus, `Saved cross-posting for ${item.title}.`);
                } catch (error) {
                    const reasons = Object.values(error?.errors ?? {}).flat().join(" ");
                    announce(pageStatus, `${describeFailure(error)} ${reasons}`.trim(), { error: true });
                }
            },
        }, "Save")));
}

async function load() {
    showSettings(await get("/api/crosspost/settings"));
    const events = await get("/api/crosspost/events");
    document.getElementById("events-body").replaceChildren(...events.map(eventRow));
}

accountForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await submitting(accountForm, () => put("/api/crosspost/account", {
        handle: text(accountForm, "handle"), appPassword: text(accountForm, "appPassword"),
    }));
    // The password field is cleared whatever happened: it is never kept in the page.
    accountForm.elements.appPassword.value = "";
    if (result) {
        showSettings(result);
        announce(pageStatus, `Connected to Bluesky as @${result.account.handle}.`);
    }
});

disconnect.addEventListener("click", async () => {
    if (!confirm("Disconnect the Bluesky account? Nothing will be cross-posted until one is connected again.")) {
        return;
    }
    try {
        showSettings(await del("/api/crosspost/account"));
        announce(pageStatus, "The Bluesky account is disconnected.");
    } catch (error) {
        announce(pageStatus, describeFailure(error), { error: true });
    }
});

defaultsForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await submitting(defaultsForm, () => put("/api/crosspost/settings", {
        defaultHashtags: text(defaultsForm, "defaultHashtags"), defaultLanguage: text(defaultsForm, "defaultLanguage"),
    }));
    if (result) {
        showSettings(result);
        announce(pageStatus, "Saved the defaults.");
    }
});

const me = await requireStaff();
if (!me.isAdmin) {
    document.getElementById("not-admin").hidden = false;
} else {
    document.getElementById("admin-area").hidden = false;
    try {
        await load();
    } catch (error) {
        announce(pageStatus, describeFailure(error), { error: true });
    }
}
