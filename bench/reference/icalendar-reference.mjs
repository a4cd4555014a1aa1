// Times the reference implementations on the data LiveHub's benchmark wrote (same events, same feed file):
//   writing: ical-generator builds the calendar and serialises it (UTC times: its recommended mode; it has no
//            VTIMEZONE generator of its own), parsing: ical.js parses the LiveHub feed, registers its VTIMEZONE
//            and reads every event's UTC start.
// Usage: node icalendar-reference.mjs events.json feed.ics [seconds-per-measurement]
// Prints JSON: { node, icalGenerator, icalJs, write: {meanMs, medianMs, n}, parse: {meanMs, medianMs, n} }
import { readFileSync } from "node:fs";
import ical from "ical-generator";
import ICAL from "ical.js";

const [eventsPath, feedPath, secondsArg] = process.argv.slice(2);
const seconds = Number(secondsArg ?? 5);
const events = JSON.parse(readFileSync(eventsPath, "utf8"));
const feed = readFileSync(feedPath, "utf8");

function write() {
    const calendar = ical({
        prodId: "-//LiveHub//Event Feeds 1.0//EN",
        name: "LiveHub events",
        description: "Benchmark feed",
        ttl: 3600,
    });
    for (const e of events) {
        calendar.createEvent({
            id: e.uid,
            stamp: new Date(e.lastModifiedUtc),
            lastModified: new Date(e.lastModifiedUtc),
            sequence: e.sequence,
            start: new Date(e.startUtc),
            end: new Date(e.endUtc),
            summary: e.cancelled ? `Cancelled: ${e.summary}` : e.summary,
            description: e.description,
            location: { title: e.location, geo: { lat: e.latitude, lon: e.longitude } },
            url: e.url,
            categories: e.categories.map((name) => ({ name })),
            status: e.cancelled ? "CANCELLED" : "CONFIRMED",
            x: e.onlineUrl ? [{ key: "X-CONFERENCE", value: e.onlineUrl }] : [],
        });
    }
    return Buffer.byteLength(calendar.toString(), "utf8");
}

function parse() {
    const root = new ICAL.Component(ICAL.parse(feed));
    for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
        ICAL.TimezoneService.register(vtimezone);
    }
    let sum = 0;
    for (const vevent of root.getAllSubcomponents("vevent")) {
        sum += new ICAL.Event(vevent).startDate.toJSDate().getTime();
    }
    return sum;
}

function measure(action) {
    // Warm up (JIT), then time single runs for the given number of seconds.
    const warmUntil = performance.now() + 1000;
    while (performance.now() < warmUntil) {
        action();
    }
    const samples = [];
    const until = performance.now() + seconds * 1000;
    while (performance.now() < until || samples.length < 10) {
        const start = performance.now();
        action();
        samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    return { meanMs: mean, medianMs: samples[Math.floor(samples.length / 2)], n: samples.length };
}

// Read package.json from disk: ical-generator's "exports" do not expose it.
const version = (name) => JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), "utf8")).version;
process.stdout.write(JSON.stringify({
    node: process.version,
    icalGenerator: version("ical-generator"),
    icalJs: version("ical.js"),
    write: measure(write),
    parse: measure(parse),
}));
