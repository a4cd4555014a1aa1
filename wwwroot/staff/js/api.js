// Shared code for the staff pages: the JSON API client (cookie auth + antiforgery header,
// problem-details errors), sign-in redirects, and rendering of field errors next to form fields.

import { locale, t } from "/js/strings.js";

const LOGIN_PAGE = "/staff/login";

/** An API call that did not succeed. `problem` is the RFC 7807 body when the server sent one. */
export class ApiError extends Error {
    constructor(status, problem) {
        super(problem?.detail || problem?.title || t("staffServerAnswered", { status }));
        this.name = "ApiError";
        this.status = status;
        this.problem = problem ?? null;
    }

    /** Field errors keyed by field name (`title`, `venue.latitude`, `tags[1]`, `$.startsAt`...). */
    get errors() {
        return this.problem?.errors ?? {};
    }
}

let antiforgery = null;

/** Fetches (once per page, or again when forced) the antiforgery token for state-changing requests. */
export async function antiforgeryToken(refresh = false) {
    if (!antiforgery || refresh) {
        const response = await fetch("/api/account/antiforgery", { credentials: "same-origin", cache: "no-store" });
        if (!response.ok) {
            throw new ApiError(response.status, await readProblem(response));
        }
        antiforgery = await response.json();
    }
    return antiforgery;
}

async function readProblem(response) {
    const type = response.headers.get("Content-Type") || "";
    if (type.includes("json")) {
        try {
            return await response.json();
        } catch {
            return null;
        }
    }
    return null;
}

/** Where to come back to after signing in: the current page. */
export function currentLocation() {
    return location.pathname + location.search + location.hash;
}

/** Sends the browser to the sign-in page, which brings it back here afterwards. */
export function goToSignIn() {
    location.assign(`${LOGIN_PAGE}?returnUrl=${encodeURIComponent(currentLocation())}`);
}

/**
 * Calls the JSON API. Resolves with the parsed body (or null for 204); rejects with ApiError.
 * A 401 sends the browser to the sign-in page unless `redirectOn401` is false.
 */
export async function api(method, url, body, { redirectOn401 = true, retried = false, headers: extraHeaders = {} } = {}) {
    const headers = { Accept: "application/json", ...extraHeaders };
    const unsafe = !["GET", "HEAD"].includes(method);
    if (unsafe) {
        const token = await antiforgeryToken();
        headers[token.headerName] = token.token;
    }
    if (body !== undefined) {
        headers["Content-Type"] = "application/json";
    }

    let response;
    try {
        response = await fetch(url, {
            method,
            headers,
            body: body === undefined ? undefined : JSON.stringify(body),
            credentials: "same-origin",
            cache: "no-store",
        });
    } catch {
        throw new ApiError(0, { title: t("staffServerUnreachable") });
    }

    if (response.status === 401 && redirectOn401) {
        goToSignIn();
        // Never settles: the page is going away.
        return new Promise(() => {});
    }

    if (!response.ok) {
        const problem = await readProblem(response);
        // A stale antiforgery token (for example after signing in or out in another tab): refresh it once and retry.
        if (unsafe && !retried && response.status === 400 && problem?.errors && antiforgery && antiforgery.headerName in problem.errors) {
            await antiforgeryToken(true);
            return api(method, url, body, { redirectOn401, retried: true, headers: extraHeaders });
        }
        throw new ApiError(response.status, problem);
    }

    if (response.status === 204) {
        return null;
    }
    const type = response.headers.get("Content-Type") || "";
    return type.includes("json") ? response.json() : null;
}

/** A random key for the Idempotency-Key header (crypto.randomUUID needs a secure context; this does not). */
export function newIdempotencyKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export const get = (url, options) => api("GET", url, undefined, options);
export const post = (url, body, options) => api("POST", url, body, options);
export const put = (url, body, options) => api("PUT", url, body, options);
export const del = (url, options) => api("DELETE", url, undefined, options);

// ---------------------------------------------------------------------------------------------
// Page chrome: who is signed in, the navigation, signing out.

/**
 * Makes sure someone is signed in (otherwise goes to the sign-in page), shows who it is in the header,
 * reveals admin-only links, and wires the sign-out button. Resolves with `{id, email, displayName, roles}`.
 */
export async function requireStaff() {
    const me = await get("/api/account/me");
    const isAdmin = me.roles.includes("Admin");
    const who = document.getElementById("staff-user");
    if (who) {
        // The name the public sees on live posts; the link leads to where it is changed.
        who.replaceChildren(h("a", { href: "/staff/accounts#profile", title: t("staffYourPublicName") }, me.displayName));
        who.hidden = false;
    }
    for (const element of document.querySelectorAll("[data-admin-only]")) {
        element.hidden = !isAdmin;
    }
    const signOut = document.getElementById("sign-out");
    if (signOut) {
        signOut.hidden = false;
        signOut.addEventListener("click", async () => {
            try {
                await post("/api/account/logout");
            } finally {
                location.assign(LOGIN_PAGE);
            }
        });
    }
    return { ...me, isAdmin };
}

// ---------------------------------------------------------------------------------------------
// Messages and form errors.

/** Shows a message in a live region (role=status / aria-live), replacing what was there. */
export function announce(region, message, { error = false } = {}) {
    if (!region) {
        return;
    }
    region.classList.toggle("notice-error", error);
    region.textContent = message;
}

/** Human text for a failed call that has no field errors worth showing. */
export function describeFailure(error) {
    if (!(error instanceof ApiError)) {
        return t("staffPageError");
    }
    switch (error.status) {
        case 403:
            return t("staffNotAllowed");
        case 404:
            return error.problem?.detail || t("staffNoLongerExists");
        case 429:
            return t("staffTooManyAttempts");
        default:
            return [error.problem?.title, error.problem?.detail].filter(Boolean).join(" ") || error.message;
    }
}

export const upperFirst = (text) => (text ? text.charAt(0).toUpperCase() + text.slice(1) : text);

/**
 * Finds the `.field` (or fieldset) a server error key belongs to. Keys look like `title`, `venue.latitude`,
 * `tags[1]`, `speakerIds[0]` or, for JSON that could not be read, `$.startsAt` / `$.venue.latitude`.
 * Fields declare the key they show with `data-field`.
 */
function fieldFor(form, key) {
    const candidates = [];
    let name = key.replace(/^\$\.?/, "");
    candidates.push(name);
    const withoutIndex = name.replace(/\[\d+\]/g, "");
    candidates.push(withoutIndex);
    // "venue.name" may be shown by a "venue" group; "venue" by nothing more specific.
    while (name.includes(".")) {
        name = name.slice(0, name.lastIndexOf("."));
        candidates.push(name.replace(/\[\d+\]/g, ""));
    }
    for (const candidate of candidates) {
        if (!candidate) {
            continue;
        }
        const field = form.querySelector(`[data-field="${CSS.escape(candidate)}"]`);
        if (field) {
            return field;
        }
    }
    return null;
}

function labelOf(field) {
    const label = field.querySelector(":scope > label, :scope > legend, :scope > .label");
    return label ? label.textContent.trim() : "";
}

/** "item 2" for `tags[1]`: which entry of a list field the error is about. */
function describeKey(key) {
    const index = /\[(\d+)\]/.exec(key);
    return index ? t("staffListItem", { number: Number(index[1]) + 1 }) : "";
}

/** Removes every error shown by showErrors. */
export function clearErrors(form) {
    for (const message of form.querySelectorAll(".field-error")) {
        message.remove();
    }
    for (const field of form.querySelectorAll(".field-invalid")) {
        field.classList.remove("field-invalid");
    }
    for (const control of form.querySelectorAll("[aria-invalid]")) {
        control.removeAttribute("aria-invalid");
        const describedBy = (control.getAttribute("aria-describedby") || "")
            .split(" ").filter((id) => id && !id.startsWith("error-")).join(" ");
        if (describedBy) {
            control.setAttribute("aria-describedby", describedBy);
        } else {
            control.removeAttribute("aria-describedby");
        }
    }
    const summary = form.querySelector(".error-summary");
    if (summary) {
        summary.hidden = true;
        summary.replaceChildren();
    }
}

let errorCount = 0;

/**
 * Shows a failed call on a form: each field error next to its field (linked with aria-describedby and
 * aria-invalid), and a summary at the top of the form (role=alert, so it is announced) linking to each one.
 * Errors for keys no field shows, and failures without field errors, appear in the summary only.
 * The form needs an empty `<div class="error-summary" hidden tabindex="-1">`.
 */
export function showErrors(form, error) {
    clearErrors(form);
    const summary = form.querySelector(".error-summary");
    const items = [];
    const errors = error instanceof ApiError ? error.errors : {};
    let firstControl = null;

    for (const [key, reasons] of Object.entries(errors)) {
        const field = fieldFor(form, key);
        const text = (Array.isArray(reasons) ? reasons : [String(reasons)]).map(upperFirst).join(" ");
        if (!field) {
            items.push({ text: `${key}: ${text}`, target: null });
            continue;
        }
        const id = `error-${++errorCount}`;
        const message = document.createElement("p");
        message.className = "field-error";
        message.id = id;
        message.textContent = describeKey(key) ? `${upperFirst(describeKey(key))}: ${text}` : text;
        const heading = field.querySelector(":scope > label, :scope > legend, :scope > .label");
        const hint = field.querySelector(":scope > .hint");
        const anchor = hint || heading;
        if (anchor) {
            anchor.after(message);
        } else {
            field.prepend(message);
        }
        field.classList.add("field-invalid");

        const controls = field.matches("input, select, textarea") ? [field] : [...field.querySelectorAll("input, select, textarea")];
        for (const control of controls) {
            control.setAttribute("aria-invalid", "true");
            const describedBy = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
            control.setAttribute("aria-describedby", [...describedBy, id].join(" "));
        }
        firstControl ??= controls[0] ?? null;
        const where = [labelOf(field) || key, describeKey(key)].filter(Boolean).join(", ");
        items.push({ text: `${where}: ${text}`, target: controls[0] ?? field });
    }

    if (!summary) {
        return;
    }
    const heading = document.createElement("h2");
    heading.textContent = items.length > 0 ? t("staffThereIsAProblem") : describeFailure(error);
    summary.append(heading);
    if (items.length > 0) {
        const list = document.createElement("ul");
        for (const item of items) {
            const li = document.createElement("li");
            if (item.target?.id) {
                const link = document.createElement("a");
                link.href = `#${item.target.id}`;
                link.textContent = item.text;
                link.addEventListener("click", (event) => {
                    event.preventDefault();
                    item.target.focus();
                });
                li.append(link);
            } else {
                li.textContent = item.text;
            }
            list.append(li);
        }
        summary.append(list);
    }
    summary.setAttribute("role", "alert");
    summary.hidden = false;
    summary.scrollIntoView({ block: "start" });
    summary.focus({ preventScroll: true });
}

/**
 * Runs a form submission: disables the submit button while busy, clears old errors, and shows new ones.
 * `action` receives the form and returns a promise; its result is returned, or undefined if it failed.
 */
export async function submitting(form, action) {
    const buttons = [...form.querySelectorAll("button[type=submit], button:not([type])")];
    for (const button of buttons) {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
    }
    clearErrors(form);
    try {
        return await action(form);
    } catch (error) {
        showErrors(form, error);
        return undefined;
    } finally {
        for (const button of buttons) {
            button.disabled = false;
            button.removeAttribute("aria-busy");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

/** Value of a text control, trimmed; null when empty (the API treats missing and empty alike). */
export function text(form, name) {
    const value = form.elements[name]?.value?.trim() ?? "";
    return value === "" ? null : value;
}

/** A number if the text is one; otherwise the text itself so that the server names the field. */
export function numberOrText(form, name) {
    const value = text(form, name);
    if (value === null) {
        return null;
    }
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : value;
}

/** The first 16 characters of an ISO time with offset: the value a datetime-local input takes. */
export const localInputValue = (iso) => (iso ? iso.slice(0, 16) : "");

/** "Wed 5 Nov 2025, 11:00" for a wall-clock ISO string (the offset is ignored: it is venue time already). */
export function formatLocal(iso) {
    if (!iso) {
        return "";
    }
    const [date, time] = iso.slice(0, 16).split("T");
    const [year, month, day] = date.split("-").map(Number);
    const weekday = new Date(Date.UTC(year, month - 1, day)).toLocaleDateString(locale, { weekday: "short", timeZone: "UTC" });
    const monthName = new Date(Date.UTC(year, month - 1, day)).toLocaleDateString(locale, { month: "short", timeZone: "UTC" });
    return `${weekday} ${day} ${monthName} ${year}, ${time}`;
}

/** Creates an element with properties and children, avoiding innerHTML with server data. */
export function h(tag, properties = {}, ...children) {
    const element = document.createElement(tag);
    for (const [key, value] of Object.entries(properties)) {
        if (value === undefined || value === null || value === false) {
            continue;
        }
        if (key === "class") {
            element.className = value;
        } else if (key === "dataset") {
            Object.assign(element.dataset, value);
        } else if (key.startsWith("on") && typeof value === "function") {
            element.addEventListener(key.slice(2), value);
        } else if (key in element && typeof value !== "string") {
            element[key] = value;
        } else {
            element.setAttribute(key, value === true ? "" : value);
        }
    }
    for (const child of children.flat()) {
        if (child !== null && child !== undefined && child !== false) {
            element.append(child instanceof Node ? child : String(child));
        }
    }
    return element;
}

/** Reads a query-string parameter of the current page. */
export const query = (name) => new URLSearchParams(location.search).get(name);
