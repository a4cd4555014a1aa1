// Times on the live pages: venue time (the event's IANA zone, named) or the reader's own zone.

import { locale } from "./strings.js";

const formatters = new Map();

function formatter(timeZone, options) {
    const key = `${timeZone}|${JSON.stringify(options)}`;
    let value = formatters.get(key);
    if (!value) {
        try {
            value = new Intl.DateTimeFormat(locale, { ...options, timeZone });
        } catch {
            // An unknown zone: fall back to UTC rather than failing the whole page.
            value = new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" });
        }
        formatters.set(key, value);
    }
    return value;
}

/** The reader's own zone, like "America/New_York". */
export const readerTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

/** "14:05" in the zone. */
export const clockTime = (instant, timeZone) =>
    formatter(timeZone, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(instant));

/** "Mon 4 Nov 2024, 14:05 GMT": for a tooltip. */
export const fullTime = (instant, timeZone) =>
    formatter(timeZone, {
        weekday: "short", day: "numeric", month: "short", year: "numeric",
        hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short",
    }).format(new Date(instant));

/** The short name of the zone at an instant, like "GMT", "BST" or "GMT+1". */
export function zoneAbbreviation(timeZone, instant = Date.now()) {
    const part = formatter(timeZone, { hour: "numeric", timeZoneName: "short" })
        .formatToParts(new Date(instant)).find((p) => p.type === "timeZoneName");
    return part ? part.value : timeZone;
}

/** "Europe/London (GMT)": the zone named twice, the IANA id people recognise and the abbreviation in force. */
export function describeZone(timeZone, instant = Date.now()) {
    const abbreviation = zoneAbbreviation(timeZone, instant);
    return abbreviation && abbreviation !== timeZone ? `${timeZone.replaceAll("_", " ")} (${abbreviation})` : timeZone;
}

/** Sets a <time datetime="..."> element's text and tooltip for the zone. */
export function showTime(element, timeZone) {
    const instant = element.getAttribute("datetime");
    if (!instant) {
        return;
    }
    element.textContent = clockTime(instant, timeZone);
    element.title = fullTime(instant, timeZone);
}
