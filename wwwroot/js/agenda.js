// The "My agenda" page (/agenda): lists the sessions of the agenda whose token this browser holds, gives its
// private feed links, and removes sessions, replaces the link or deletes the agenda. Text from the server is
// only ever set as textContent or attribute values, never parsed as HTML.

import { locale, t } from "./strings.js";
import { AgendaError, agendaApi, storeToken, storedToken, tokenFrom } from "./agenda-store.js";

const $ = id => document.getElementById(id);
const root = $("agenda");
if (root) {
    init();
}

function init() {
    const status = $("agenda-status");
    const say = text => { status.textContent = text; };

    // A manage link from another device carries the token in the fragment, which never reaches the server.
    const fromLink = tokenFrom(location.hash);
    if (fromLink) {
        storeToken(fromLink);
        history.replaceState(null, "", location.pathname);
    }

    $("agenda-import").hidden = false;
    $("agenda-import-form").addEventListener("submit", async event => {
        event.preventDefault();
        const token = tokenFrom($("agenda-import-link").value);
        if (!token) {
            say(t("agendaNotALink"));
            return;
        }
        storeToken(token);
        $("agenda-import-link").value = "";
        await load(t("agendaLoaded"));
    });

    $("agenda-rotate").addEventListener("click", async () => {
        if (!confirm(t("agendaConfirmReplace"))) {
            return;
        }
        await act(async token => {
            const agenda = await agendaApi.rotate(token);
            storeToken(agenda.token);
            show(agenda);
            say(t("agendaReplaced"));
        });
    });

    $("agenda-delete").addEventListener("click", async () => {
        if (!confirm(t("agendaConfirmDelete"))) {
            return;
        }
        await act(async token => {
            await agendaApi.revoke(token);
            storeToken(null);
            show(null);
            say(t("agendaDeleted"));
        });
    });

    load("");

    async function load(message) {
        const token = storedToken();
        if (!token) {
            show(null);
            return;
        }
        try {
            show(await agendaApi.get(token));
            say(message);
        } catch (error) {
            if (error instanceof AgendaError && error.agendaGone) {
                storeToken(null);
                show(null);
                say(t("agendaGone"));
            } else {
                say(t("agendaLoadFailed", { reason: error.message }));
            }
        }
    }

    async function act(action) {
        const token = storedToken();
        if (!token) {
            show(null);
            return;
        }
        try {
            await action(token);
        } catch (error) {
            say(t("agendaFailed", { reason: error.message }));
            if (error instanceof AgendaError && error.agendaGone) {
                await load("");
            }
        }
    }

    function show(agenda) {
        $("agenda-empty").hidden = agenda !== null;
        for (const id of ["agenda-content", "agenda-subscribe", "agenda-keys"]) {
            $(id).hidden = agenda === null;
        }
        if (agenda === null) {
            $("agenda-sessions").replaceChildren();
            return;
        }

        $("agenda-none").hidden = agenda.sessions.length > 0;
        $("agenda-sessions").replaceChildren(...agenda.sessions.map(session => sessionItem(session)));
        $("agenda-webcal").href = agenda.webcalUrl;
        $("agenda-google").href = `https://calendar.google.com/calendar/render?cid=${encodeURIComponent(agenda.feedUrl)}`;
        $("agenda-outlook").href = `https://outlook.live.com/calendar/0/addfromweb?url=${encodeURIComponent(agenda.feedUrl)}&name=${encodeURIComponent(t("agendaCalendarName"))}`;
        $("agenda-feed-url").value = agenda.feedUrl;
        $("agenda-manage-url").value = `${location.origin}/agenda#token=${agenda.token}`;
    }

    function sessionItem(session) {
        const item = document.createElement("li");
        item.className = "session" + (session.status === "cancelled" ? " status-cancelled" : "");
        item.id = `agenda-session-${session.id}`;

        const when = document.createElement("p");
        when.className = "session-time";
        const time = document.createElement("time");
        time.dateTime = session.when.startsAt;
        time.textContent = formatRange(session.when);
        when.append(time, ` ${session.when.zoneName}`, session.room ? ` · ${session.room}` : "");

        const title = document.createElement("h3");
        const link = document.createElement("a");
        link.href = session.pageUrl;
        link.textContent = session.title;
        title.append(link);
        if (session.status !== "scheduled") {
            const badge = document.createElement("span");
            badge.className = "badge";
            badge.textContent = session.removed ? t("removedByOrganisers") : session.status === "cancelled" ? t("cancelled") : t("postponed");
            title.append(" ", badge);
        }

        const context = document.createElement("p");
        context.className = "agenda-event";
        context.textContent = session.eventTitle;

        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "button button-small button-secondary";
        remove.textContent = t("agendaRemove");
        remove.setAttribute("aria-label", t("agendaRemoveNamed", { title: session.title }));
        remove.addEventListener("click", () => act(async token => {
            show(await agendaApi.remove(token, session.id));
            say(t("agendaRemoved", { title: session.title }));
        }));

        item.append(when, title, context, remove);
        return item;
    }
}

/** "Mon 4 Nov 2024, 14:00–15:00" in the venue's zone (the API gives venue-local times with their offset). */
function formatRange(when) {
    const local = value => value.slice(0, 19);
    const start = new Date(local(when.startsAtLocal) + "Z");
    const end = new Date(local(when.endsAtLocal) + "Z");
    const day = new Intl.DateTimeFormat(locale, { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(start);
    const clock = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", timeZone: "UTC" });
    return `${day}, ${clock.format(start)}–${clock.format(end)}`;
}
