// Bluesky cross-posting settings (admins): the hub's account, default hashtags and language, and per-event switches.
import { announce, del, describeFailure, get, h, put, requireStaff, submitting, text } from "./api.js";
import { locale, t } from "/js/strings.js";

const pageStatus = document.getElementById("page-status");
const accountForm = document.getElementById("account-form");
const defaultsForm = document.getElementById("defaults-form");
const disconnect = document.getElementById("disconnect");

function showSettings(settings) {
    const state = document.getElementById("account-state");
    if (settings.account) {
        const since = settings.account.connectedAt ? ` ${t("staffSince", { when: new Date(settings.account.connectedAt).toLocaleString(locale) })}` : "";
        state.textContent = t("staffConnectedAs", { handle: settings.account.handle, did: settings.account.did, since, service: settings.serviceUrl });
    } else {
        state.textContent = t("staffNoAccountConnected", { service: settings.serviceUrl });
    }
    if (!settings.publicBaseUrl) {
        state.textContent += ` ${t("staffNoPublicBaseUrl")}`;
    }
    disconnect.hidden = !settings.account;
    defaultsForm.elements.defaultHashtags.value = settings.defaultHashtags ?? "";
    defaultsForm.elements.defaultLanguage.value = settings.defaultLanguage ?? "";
}

function eventRow(item) {
    const enabled = h("input", { type: "checkbox", id: `enabled-${item.eventId}`, checked: item.enabled });
    const mode = h("select", { id: `mode-${item.eventId}`, "aria-label": t("staffEditsIn", { title: item.title }) },
        h("option", { value: "correctionReply", selected: item.editMode === "correctionReply" }, t("staffReplyWithCorrection")),
        h("option", { value: "deleteAndRepost", selected: item.editMode === "deleteAndRepost" }, t("staffDeleteAndRepost")));
    const hashtags = h("input", { type: "text", value: item.hashtags ?? "", "aria-label": t("staffHashtagsFor", { title: item.title }) });
    return h("tr", {},
        h("td", { "data-label": t("staffColumnEvent") }, h("span", { class: "row-title" }, item.title)),
        h("td", { "data-label": t("staffColumnCrossPost") }, h("label", { for: enabled.id }, enabled, ` ${t("staffOn")}`)),
        h("td", { "data-label": t("staffColumnEdits") }, mode),
        h("td", { "data-label": t("staffColumnHashtags") }, hashtags),
        h("td", { class: "cell-actions" }, h("button", {
            type: "button", class: "button-small", "aria-label": t("staffSaveCrossPostingFor", { title: item.title }),
            onclick: async () => {
                announce(pageStatus, "");
                try {
                    await put(`/api/crosspost/events/${encodeURIComponent(item.slug)}`, {
                        enabled: enabled.checked, editMode: mode.value, hashtags: hashtags.value.trim() || null, language: item.language,
                    });
                    announce(pageStatus, t("staffSavedCrossPostingFor", { title: item.title }));
                } catch (error) {
                    const reasons = Object.values(error?.errors ?? {}).flat().join(" ");
                    announce(pageStatus, `${describeFailure(error)} ${reasons}`.trim(), { error: true });
                }
            },
        }, t("staffSave"))));
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
        announce(pageStatus, t("staffConnectedToBluesky", { handle: result.account.handle }));
    }
});

disconnect.addEventListener("click", async () => {
    if (!confirm(t("staffConfirmDisconnect"))) {
        return;
    }
    try {
        showSettings(await del("/api/crosspost/account"));
        announce(pageStatus, t("staffDisconnected"));
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
        announce(pageStatus, t("staffSavedDefaults"));
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
