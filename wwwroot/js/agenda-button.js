// "Add to my agenda" buttons on event pages. The first add creates the agenda (its token is kept in this
// browser); each button then adds or removes its session. A polite live region says what happened.

import { t } from "./strings.js";
import { AgendaError, agendaApi, storeToken, storedToken } from "./agenda-store.js";

const buttons = [...document.querySelectorAll("button[data-agenda-session]")];
if (buttons.length > 0) {
    init();
}

function init() {
    const announcer = document.createElement("p");
    announcer.className = "visually-hidden";
    announcer.id = "agenda-announcer";
    announcer.setAttribute("role", "status");
    announcer.setAttribute("aria-live", "polite");
    document.body.append(announcer);
    let picked = new Set();

    const render = () => {
        for (const button of buttons) {
            const inAgenda = picked.has(button.dataset.agendaSession);
            button.textContent = inAgenda ? t("agendaRemove") : t("agendaAdd");
            button.classList.toggle("in-agenda", inAgenda);
            button.hidden = false;
        }
    };
    const apply = agenda => {
        storeToken(agenda.token);
        picked = new Set(agenda.sessions.map(s => s.id));
        render();
    };

    const token = storedToken();
    if (token) {
        agendaApi.get(token).then(apply, error => {
            if (error instanceof AgendaError && error.agendaGone) {
                storeToken(null);
            }
            render();
        });
    } else {
        render();
    }

    for (const button of buttons) {
        button.addEventListener("click", async () => {
            const id = button.dataset.agendaSession;
            const title = button.dataset.sessionTitle || t("theSession");
            button.disabled = true;
            try {
                let current = storedToken();
                if (picked.has(id) && current) {
                    apply(await agendaApi.remove(current, id));
                    announcer.textContent = t("agendaRemoved", { title });
                } else {
                    try {
                        apply(current ? await agendaApi.add(current, id) : await agendaApi.create([id]));
                    } catch (error) {
                        // The stored agenda is gone (deleted or replaced elsewhere): start a new one.
                        if (!(error instanceof AgendaError && error.agendaGone && current)) {
                            throw error;
                        }
                        storeToken(null);
                        current = null;
                        apply(await agendaApi.create([id]));
                    }
                    announcer.textContent = t("agendaAdded", { title });
                }
            } catch (error) {
                announcer.textContent = t("agendaChangeFailed", { reason: error.message });
            } finally {
                button.disabled = false;
                button.focus();
            }
        });
    }
}
