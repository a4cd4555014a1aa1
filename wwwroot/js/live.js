// The attendee live page (/live/{slug}, /live/{slug}/sessions/{id}). The server renders every post (the
// page works without JavaScript); this keeps it current over SignalR, and adds the key-moments filter,
// pausing, the "N new updates" bar, venue/local time, share links and keyboard navigation.

import { t } from "./strings.js";
import { LiveStreamClient, Status } from "./live-stream.js";
import { el, postText, renderPost } from "./live-render.js";
import { addShareControls } from "./live-share.js";
import { describeZone, readerTimeZone, showTime } from "./live-time.js";
import { askForm, questionList } from "./live-questions.js";

/** Screen readers hear at most one "N new updates" per this many milliseconds. */
const ANNOUNCE_INTERVAL = 5000;
/** …and wait this long first, so that a burst of posts is announced once. */
const ANNOUNCE_BATCH = 1200;
const LOCAL_TIME_KEY = "livehub.live.localTime";

const stateTexts = { live: t("stateLive"), ended: t("stateEnded"), upcoming: t("stateUpcoming") };
const statusTexts = {
    [Status.connecting]: t("connecting"),
    [Status.live]: t("connected"),
    [Status.reconnecting]: t("reconnecting"),
    [Status.offline]: t("offline"),
    [Status.closed]: t("closed"),
};

const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
const scrollBehavior = () => (reducedMotion.matches ? "auto" : "smooth");

const root = document.getElementById("live");
if (root) {
    init(root);
}

function init(root) {
    const venueZone = root.dataset.timeZone || "UTC";
    const feed = document.getElementById("live-feed");
    const pinnedSlot = document.getElementById("live-pinned");
    const announcer = document.getElementById("live-announcer");
    const newBar = document.getElementById("live-new-updates");
    const connectionStatus = document.getElementById("live-connection");
    const keyOnly = document.getElementById("live-key-only");
    const pausedBox = document.getElementById("live-paused");
    const timeToggle = document.getElementById("live-time-toggle");
    const zoneNote = root.querySelector(".zone-note");
    const stateLine = document.getElementById("live-state");

    let useLocalTime = localStorage.getItem(LOCAL_TIME_KEY) === "true";
    let paused = false;
    /** Changes held back while paused: post id → newest version. */
    const pending = new Map();
    /** New posts added above the reader's position since they last saw the top. */
    let unseen = 0;

    const zone = () => (useLocalTime ? readerTimeZone() : venueZone);
    const feedPosts = () => [...feed.querySelectorAll(":scope > article.live-post")];
    const findInFeed = (id) => feed.querySelector(`:scope > article.live-post[data-post-id="${CSS.escape(id)}"]`);
    const isVisible = (article) => article.checkVisibility ? article.checkVisibility() : article.offsetParent !== null;

    // ----- Time: venue time with the zone named, or the reader's own -----
    function showTimes() {
        const z = zone();
        for (const time of root.querySelectorAll("article.live-post time[datetime]")) {
            showTime(time, z);
        }
        zoneNote.textContent = useLocalTime
            ? t("timesInReaderZone", { zone: describeZone(z) })
            : t("timesInVenueZone", { zone: describeZone(venueZone) });
        timeToggle.setAttribute("aria-pressed", String(useLocalTime));
        timeToggle.textContent = useLocalTime ? t("showVenueTime") : t("showLocalTime");
    }

    timeToggle.addEventListener("click", () => {
        useLocalTime = !useLocalTime;
        localStorage.setItem(LOCAL_TIME_KEY, String(useLocalTime));
        showTimes();
    });

    // ----- Posts -----
    function decorate(article) {
        addShareControls(article);
        for (const time of article.querySelectorAll("time[datetime]")) {
            showTime(time, zone());
        }
        return article;
    }

    function insertInOrder(article, sequence) {
        // Newest first: before the first post with a lower number.
        const after = feedPosts().find((other) => Number(other.dataset.sequence) < sequence);
        feed.insertBefore(article, after ?? null);
    }

    function replaceKeepingFocus(existing, replacement) {
        const hadFocus = existing.contains(document.activeElement);
        replacement.tabIndex = existing.tabIndex;
        existing.replaceWith(replacement);
        if (hadFocus) {
            replacement.focus({ preventScroll: true });
        }
    }

    function showPinned(post) {
        const article = decorate(renderPost(post, { timeZone: zone(), idPrefix: "pinned-" }));
        const current = pinnedSlot.querySelector("article.live-post");
        if (current) {
            replaceKeepingFocus(current, article);
        } else {
            pinnedSlot.append(article);
        }
        pinnedSlot.hidden = false;
    }

    function unpin(postId) {
        const current = pinnedSlot.querySelector("article.live-post");
        if (current && current.dataset.postId === postId) {
            current.remove();
            pinnedSlot.hidden = true;
        }
    }

    function updateEmpty() {
        let empty = document.getElementById("live-empty");
        const hasPosts = feed.querySelector(":scope > article.live-post") !== null;
        if (hasPosts) {
            empty?.remove();
        } else if (!empty) {
            empty = document.createElement("p");
            empty.className = "empty";
            empty.id = "live-empty";
            empty.textContent = t("noUpdates");
            feed.prepend(empty);
        }
    }

    /** The feed pattern: position of each article, and one of them reachable with Tab (roving tabindex). */
    function updatePositions() {
        const posts = feedPosts();
        posts.forEach((article, index) => {
            article.setAttribute("aria-posinset", String(index + 1));
            article.setAttribute("aria-setsize", String(posts.length));
        });
        const all = [...pinnedSlot.querySelectorAll("article.live-post"), ...posts];
        if (!all.some((article) => article.tabIndex === 0 && isVisible(article))) {
            const first = all.find(isVisible);
            for (const article of all) {
                article.tabIndex = article === first ? 0 : -1;
            }
        }
    }

    /** Applies changed posts to the page; returns the posts that are new to it. */
    function render(posts) {
        feed.setAttribute("aria-busy", "true");
        const created = [];
        for (const post of posts) {
            const id = post.id.toLowerCase();
            const existing = findInFeed(id);
            if (post.deleted) {
                if (existing?.contains(document.activeElement)) {
                    // Keyboard users keep their place: the focus moves to the neighbouring post, not to the page.
                    const neighbour = existing.nextElementSibling ?? existing.previousElementSibling;
                    existing.remove();
                    if (neighbour?.matches("article.live-post")) {
                        neighbour.tabIndex = 0;
                        neighbour.focus({ preventScroll: true });
                    }
                } else {
                    existing?.remove();
                }
                unpin(id);
                continue;
            }
            const article = decorate(renderPost(post, { timeZone: zone() }));
            if (existing) {
                replaceKeepingFocus(existing, article);
            } else {
                article.classList.add("is-new");
                insertInOrder(article, post.sequence);
                created.push(article);
            }
            if (post.pinned) {
                showPinned(post);
            } else {
                unpin(id);
            }
        }
        updateEmpty();
        updatePositions();
        feed.setAttribute("aria-busy", "false");
        return created;
    }

    // ----- "N new updates", pausing, announcements -----
    const readerIsAtTop = () => feed.getBoundingClientRect().top >= -8;

    function updateNewBar() {
        const waiting = pending.size > 0 ? countNew([...pending.values()]) : 0;
        if (paused && waiting > 0) {
            newBar.textContent = waiting === 1 ? t("pausedShowOne") : t("pausedShowMany", { count: waiting });
            newBar.hidden = false;
        } else if (unseen > 0) {
            newBar.replaceChildren(el("span", { "aria-hidden": "true" }, "↑ "), unseen === 1 ? t("oneNewUpdate") : t("newUpdates", { count: unseen }));
            newBar.hidden = false;
        } else {
            newBar.hidden = true;
        }
    }

    const countNew = (posts) => posts.filter((post) => !post.deleted && !findInFeed(post.id.toLowerCase())).length;

    let announceCount = 0;
    let announceFirst = "";
    let announceTimer = 0;
    let lastAnnounced = -Infinity;
    let toggle = false;

    function announce(count, firstText) {
        if (count <= 0) {
            return;
        }
        if (announceCount === 0) {
            announceFirst = firstText;
        }
        announceCount += count;
        if (announceTimer) {
            return;
        }
        const wait = Math.max(ANNOUNCE_BATCH, lastAnnounced + ANNOUNCE_INTERVAL - performance.now());
        announceTimer = setTimeout(() => {
            const n = announceCount;
            let text = n === 1 ? t("oneNewUpdate") : t("newUpdates", { count: n });
            if (paused) {
                text += ` ${t("paused")}`;
            } else if (n === 1 && announceFirst) {
                text += `: ${announceFirst.length > 160 ? `${announceFirst.slice(0, 159)}…` : announceFirst}`;
            }
            // A different string each time, so a repeated "1 new update" is still announced.
            toggle = !toggle;
            announcer.textContent = toggle ? text : `${text}\u00a0`;
            announceCount = 0;
            announceTimer = 0;
            lastAnnounced = performance.now();
        }, wait);
    }

    function show(posts) {
        // Posts the key-moments filter hides are neither counted nor announced.
        const created = render(posts).filter(isVisible);
        if (created.length > 0) {
            if (!readerIsAtTop()) {
                unseen += created.length;
            }
            announce(created.length, postText(created.at(-1)));
        }
        updateNewBar();
    }

    function flushPending() {
        const posts = [...pending.values()];
        pending.clear();
        show(posts);
    }

    pausedBox.addEventListener("change", () => {
        paused = pausedBox.checked;
        if (!paused) {
            flushPending();
        }
        updateNewBar();
    });

    newBar.addEventListener("click", () => {
        if (pending.size > 0) {
            flushPending();
        }
        unseen = 0;
        updateNewBar();
        root.scrollIntoView({ behavior: scrollBehavior(), block: "start" });
    });

    window.addEventListener("scroll", () => {
        if (unseen > 0 && readerIsAtTop()) {
            unseen = 0;
            updateNewBar();
        }
    }, { passive: true });

    // ----- Filter -----
    keyOnly.addEventListener("change", () => {
        feed.classList.toggle("key-only", keyOnly.checked);
        pinnedSlot.classList.toggle("key-only", keyOnly.checked);
        updatePositions();
    });

    // ----- Keyboard: j/k anywhere (outside form fields), arrows/PageUp/PageDown/Home/End on a post -----
    document.addEventListener("keydown", (event) => {
        if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) {
            return;
        }
        const target = event.target instanceof Element ? event.target : null;
        if (target?.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']")) {
            return;
        }
        const current = target?.closest("article.live-post");
        const onPost = current !== null && current !== undefined && root.contains(current);
        const posts = [...pinnedSlot.querySelectorAll("article.live-post"), ...feedPosts()].filter(isVisible);
        if (posts.length === 0) {
            return;
        }
        const index = onPost ? posts.indexOf(current) : -1;
        let next = null;
        if (event.key === "j" || (onPost && (event.key === "ArrowDown" || event.key === "PageDown"))) {
            next = posts[Math.min(index + 1, posts.length - 1)];
        } else if (event.key === "k" || (onPost && (event.key === "ArrowUp" || event.key === "PageUp"))) {
            next = posts[Math.max(index - 1, 0)];
        } else if (onPost && event.key === "Home") {
            next = posts[0];
        } else if (onPost && event.key === "End") {
            next = posts.at(-1);
        } else {
            return;
        }
        event.preventDefault();
        for (const article of posts) {
            article.tabIndex = article === next ? 0 : -1;
        }
        next.focus({ preventScroll: true });
        next.scrollIntoView({ behavior: scrollBehavior(), block: "nearest" });
    });

    root.addEventListener("focusin", (event) => {
        const article = event.target instanceof Element && event.target.matches("article.live-post") ? event.target : null;
        if (article) {
            for (const other of root.querySelectorAll("article.live-post[tabindex='0']")) {
                other.tabIndex = -1;
            }
            article.tabIndex = 0;
        }
    });

    // ----- Connection -----
    function showStatus(status) {
        connectionStatus.textContent = statusTexts[status] ?? status;
        connectionStatus.className = `connection connection-${status}`;
        root.dataset.connection = status;
    }

    function showStream(stream) {
        if (!stream) {
            return;
        }
        stateLine.textContent = stateTexts[stream.state] ?? stream.state;
        stateLine.className = `live-state state-${stream.state}`;
    }

    const questionsPanel = document.getElementById("live-questions");
    const questions = questionsPanel ? questionList(questionsPanel, { streamId: questionsPanel.dataset.streamId, revision: questionsPanel.dataset.revision }) : null;
    askForm(document.getElementById("ask-form"), root.dataset.streamId);

    const client = new LiveStreamClient({
        onQuestions: questions?.apply,
        onJoined: questions?.refresh,
        stream: root.dataset.streamId,
        lastApplied: Number(root.dataset.through) || 0,
        onStatus: showStatus,
        onChanges: ({ posts, stream, through }) => {
            root.dataset.through = String(through);
            showStream(stream);
            if (posts.length === 0) {
                return;
            }
            if (paused) {
                for (const post of posts) {
                    pending.delete(post.id);
                    pending.set(post.id, post);
                }
                announce(countNew(posts), "");
                updateNewBar();
            } else {
                show(posts);
            }
        },
    });

    for (const article of root.querySelectorAll("article.live-post")) {
        client.seed(article.dataset.postId, article.dataset.change);
        decorate(article);
    }

    root.querySelector(".live-toolbar").hidden = false;
    document.getElementById("live-keys-hint")?.removeAttribute("hidden");
    feed.setAttribute("aria-keyshortcuts", "j k");
    showTimes();
    updatePositions();
    showStatus(Status.connecting);
    client.start().catch(() => showStatus(Status.offline));
}
