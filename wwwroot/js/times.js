// Venue time or the reader's own zone on the public pages (events, sessions, speakers, venues): every
// .local-time (Pages/LocalTime.razor) and every [data-time-toggle] (Pages/TimeZoneToggle.razor). The choice is
// shared with the live page's toggle (same localStorage key), so it follows the reader from page to page.

import { locale, t } from "./strings.js";
import { describeZone, readerTimeZone } from "./live-time.js";

const LOCAL_TIME_KEY = "livehub.live.localTime";

const formatters = new Map();
function format(instant, timeZone, options) {
    const key = `${timeZone}|${JSON.stringify(options)}`;
    let formatter = formatters.get(key);
    if (!formatter) {
        try {
            formatter = new Intl.DateTimeFormat(locale, { ...options, timeZone });
        } catch {
            formatter = new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" });
        }
        formatters.set(key, formatter);
    }
    return formatter.format(new Date(instant));
}

const dateOptions = { weekday: "short", day: "numeric", month: "short", year: "numeric" };
const timeOptions = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
const date = (instant, zone) => format(instant, zone, dateOptions).replace(",", "");
const time = (instant, zone) => format(instant, zone, timeOptions);

/** The same shapes as Display.Range on the server: "Wed 5 Nov 2025, 11:00–16:00" or across days "… 11:00 – Thu 6 Nov 2025 17:00". */
function text(element, zone) {
    const { starts, ends, format: shape } = element.dataset;
    if (shape === "instant" || !ends) {
        return `${date(starts, zone)}, ${time(starts, zone)}`;
    }
    if (shape === "time-range") {
        const sameDay = date(starts, zone) === date(ends, zone);
        return sameDay ? `${time(starts, zone)}–${time(ends, zone)}` : `${time(starts, zone)}–${date(ends, zone)} ${time(ends, zone)}`;
    }
    return date(starts, zone) === date(ends, zone)
        ? `${date(starts, zone)}, ${time(starts, zone)}–${time(ends, zone)}`
        : `${date(starts, zone)} ${time(starts, zone)} – ${date(ends, zone)} ${time(ends, zone)}`;
}

function readChoice() {
    try {
        return localStorage.getItem(LOCAL_TIME_KEY) === "true";
    } catch {
        return false;
    }
}

function saveChoice(useLocal) {
    try {
        localStorage.setItem(LOCAL_TIME_KEY, String(useLocal));
    } catch {
        // Storage refused (private mode): the choice lasts for this page only.
    }
}

function show(useLocal) {
    const reader = readerTimeZone();
    const venueZones = new Set();
    for (const element of document.querySelectorAll(".local-time[data-starts]")) {
        const venueZone = element.dataset.venueZone || "UTC";
        venueZones.add(venueZone);
        const zone = useLocal ? reader : venueZone;
        const textElement = element.querySelector(".local-time-text");
        if (!element.dataset.venueText) {
            element.dataset.venueText = textElement.textContent;
            const zoneElement = element.querySelector(".local-time-zone");
            element.dataset.venueZoneText = zoneElement ? zoneElement.textContent : "";
        }
        textElement.textContent = useLocal ? text(element, zone) : element.dataset.venueText;
        const zoneElement = element.querySelector(".local-time-zone");
        if (zoneElement) {
            zoneElement.textContent = useLocal ? t("yourTime", { zone: describeZone(reader, element.dataset.starts) }) : element.dataset.venueZoneText;
        }
        element.classList.toggle("is-reader-time", useLocal);
    }
    const venueDescription = venueZones.size === 1 ? t("venueTimeNamed", { zone: describeZone([...venueZones][0]) }) : t("venueTime");
    for (const toggle of document.querySelectorAll("[data-time-toggle]")) {
        toggle.querySelector("[data-time-toggle-button]").setAttribute("aria-pressed", String(useLocal));
        toggle.querySelector("[data-time-toggle-note]").textContent = useLocal
            ? t("timesInYourZone", { zone: describeZone(reader) })
            : t("timesIn", { description: venueDescription });
    }
}

const toggles = document.querySelectorAll("[data-time-toggle]");
if (toggles.length > 0 || document.querySelector(".local-time[data-starts]")) {
    let useLocal = readChoice();
    for (const toggle of toggles) {
        const button = toggle.querySelector("[data-time-toggle-button]");
        button.hidden = false;
        button.addEventListener("click", () => {
            useLocal = !useLocal;
            saveChoice(useLocal);
            show(useLocal);
        });
    }
    show(useLocal);
}
