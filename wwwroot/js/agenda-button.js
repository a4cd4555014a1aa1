// "Add to my agenda" buttons on event pages. The first add creates the agenda (its token is kept in this
// browser); each button then adds or removes its session. A polite live region says what happened.

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
            button.textContent = inAgenda ? "Remove from my agenda" : "Add to my agenda";
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
            const title = button.dataset.sessionTitle || "the session";
            button.disabled = true;
            try {
                let current = storedToken();
                if (picked.has(id) && current) {
                    apply(await agendaApi.remove(current, id));
                    announcer.textContent = `Removed “${title}” from your agenda.`;
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
                    announcer.textContent = `Added “${title}” to your agenda. See it, and its calendar feed, under My agenda.`;
                }
            } catch (error) {
                announcer.textContent = `Your agenda could not be changed: ${error.message}`;
            } finally {
                button.disabled = false;
                button.focus();
            }
        });
    }
}
