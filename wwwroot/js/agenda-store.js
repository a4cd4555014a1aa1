// The personal agenda's token and API. The token is the agenda's only credential: it is kept in this browser's
// localStorage and sent in the Agenda-Token header, never in a page or API URL.

import { t } from "./strings.js";

const TOKEN_KEY = "livehub.agenda.token";
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function storedToken() {
    try {
        const token = localStorage.getItem(TOKEN_KEY);
        return token && TOKEN_PATTERN.test(token) ? token : null;
    } catch {
        return null;
    }
}

export function storeToken(token) {
    try {
        if (token) {
            localStorage.setItem(TOKEN_KEY, token);
        } else {
            localStorage.removeItem(TOKEN_KEY);
        }
    } catch {
        // Private mode without storage: the agenda works until the page is closed.
    }
}

/** The token in a pasted manage link (…/agenda#token=…), feed address (…/agenda/{token}.ics) or the bare token. */
export function tokenFrom(text) {
    const value = (text || "").trim();
    const candidates = [
        value,
        (value.match(/[#&]token=([A-Za-z0-9_-]{43})/) || [])[1],
        (value.match(/\/agenda\/([A-Za-z0-9_-]{43})\.ics/) || [])[1],
    ];
    return candidates.find(c => c && TOKEN_PATTERN.test(c)) || null;
}

export class AgendaError extends Error {
    constructor(status, title, message) {
        super(message);
        this.status = status;
        this.title = title;
    }

    /** The agenda itself is gone (deleted, or its link replaced), as opposed to, say, a session not found. */
    get agendaGone() {
        return this.status === 404 && this.title === "Agenda not found";
    }
}

async function call(method, path, token, body) {
    const headers = { Accept: "application/json" };
    if (token) {
        headers["Agenda-Token"] = token;
    }
    if (body !== undefined) {
        headers["Content-Type"] = "application/json";
    }
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "omit", cache: "no-store" });
    if (response.status === 204) {
        return null;
    }
    let json = null;
    try {
        json = await response.json();
    } catch {
        json = null;
    }
    if (!response.ok) {
        throw new AgendaError(response.status, json && json.title, (json && (json.detail || json.title)) || t("agendaServerAnswered", { status: response.status }));
    }
    return json;
}

export const agendaApi = {
    create: sessionIds => call("POST", "/api/agendas", null, { sessionIds }),
    get: token => call("GET", "/api/agenda", token),
    add: (token, sessionId) => call("PUT", `/api/agenda/sessions/${encodeURIComponent(sessionId)}`, token),
    remove: (token, sessionId) => call("DELETE", `/api/agenda/sessions/${encodeURIComponent(sessionId)}`, token),
    rotate: token => call("POST", "/api/agenda/token", token),
    revoke: token => call("DELETE", "/api/agenda", token),
};
