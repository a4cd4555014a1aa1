// Reads an iCalendar file (path argument, or stdin) and prints what two reference parsers make of it, as JSON:
//   { "icaljs": [event...], "nodeical": [event...] }
//   event = { uid, start, end, summary, status, sequence, tzid }   (start/end: UTC instants, ISO 8601)
// plus "icaljsOccurrences": the dates of every recurring series as ical.js expands them (RRULE, EXDATE and the
// overrides of the same UID applied), the first 200 per series: { uid, start, end, recurrenceId, summary, status }.
// ical.js has no time-zone data of its own: every VTIMEZONE in the file is registered first, and a TZID
// that still reads as floating is reported as an error rather than silently shifted.
// Exit code 0 with JSON on success; 1 with a message on stderr when either parser fails.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";
import nodeIcal from "node-ical";

const text = readFileSync(process.argv[2] ?? 0, "utf8");

function withIcalJs(source) {
    const parsed = ICAL.parse(source);
    const roots = (Array.isArray(parsed[0]) ? parsed : [parsed]).map((jcal) => new ICAL.Component(jcal));
    const events = [];
    for (const root of roots) {
        for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
            ICAL.TimezoneService.register(vtimezone);
        }
        for (const vevent of root.getAllSubcomponents("vevent")) {
            const event = new ICAL.Event(vevent);
            const tzid = vevent.getFirstProperty("dtstart")?.getParameter("tzid") ?? null;
            if (tzid && event.startDate.zone.tzid === "floating") {
                throw new Error(`UID ${event.uid}: TZID ${tzid} has no VTIMEZONE, ical.js reads it as floating`);
            }
            events.push({
                uid: event.uid,
                start: event.startDate.toJSDate().toISOString(),
                end: event.endDate.toJSDate().toISOString(),
                summary: event.summary,
                status: vevent.getFirstPropertyValue("status"),
                sequence: event.sequence,
                tzid,
            });
        }
    }
    return events;
}

function withNodeIcal(source) {
    const parsed = nodeIcal.sync.parseICS(source);
    return Object.values(parsed)
        .filter((item) => item.type === "VEVENT")
        .map((item) => ({
            uid: item.uid,
            start: item.start.toISOString(),
            end: item.end.toISOString(),
            summary: typeof item.summary === "string" ? item.summary : item.summary?.val,
            status: item.status ?? null,
            sequence: item.sequence === undefined ? null : Number(item.sequence),
            tzid: item.start.tz ?? null,
        }));
}

function occurrencesWithIcalJs(source) {
    const parsed = ICAL.parse(source);
    const roots = (Array.isArray(parsed[0]) ? parsed : [parsed]).map((jcal) => new ICAL.Component(jcal));
    const occurrences = [];
    for (const root of roots) {
        for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
            ICAL.TimezoneService.register(vtimezone);
        }
        const vevents = root.getAllSubcomponents("vevent");
        // ical.js relates every RECURRENCE-ID VEVENT to any master: group by UID and pass the overrides explicitly.
        for (const master of vevents.filter((v) => v.hasProperty("rrule") && !v.hasProperty("recurrence-id"))) {
            const uid = master.getFirstPropertyValue("uid");
            const exceptions = vevents.filter((v) => v.hasProperty("recurrence-id") && v.getFirstPropertyValue("uid") === uid);
            const event = new ICAL.Event(master, { exceptions, strictExceptions: true });
            const iterator = event.iterator();
            for (let next = iterator.next(), n = 0; next && n < 200; next = iterator.next(), n++) {
                const details = event.getOccurrenceDetails(next);
                occurrences.push({
                    uid,
                    start: details.startDate.toJSDate().toISOString(),
                    end: details.endDate.toJSDate().toISOString(),
                    recurrenceId: details.recurrenceId.toJSDate().toISOString(),
                    summary: details.item.summary,
                    status: details.item.component.getFirstPropertyValue("status"),
                });
            }
        }
    }
    return occurrences;
}

try {
    process.stdout.write(JSON.stringify({ icaljs: withIcalJs(text), nodeical: withNodeIcal(text), icaljsOccurrences: occurrencesWithIcalJs(text) }));
} catch (error) {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
}
