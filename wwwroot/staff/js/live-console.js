// Staff live console (/staff/live/{event-slug}): pick the stream, start/end coverage, compose posts
// (optimistically shown as "sending"), upload images with alt text, and manage the stream's posts
// (edit, delete, pin, key moment), which stay live over the same SignalR hub as the attendee page.

import {
    ApiError, announce, antiforgeryToken, clearErrors, del, describeFailure, get, goToSignIn, newIdempotencyKey, post, put, requireStaff, showErrors,
} from "./api.js";
import { t } from "/js/strings.js";
import { LiveStreamClient, Status } from "/js/live-stream.js";
import { el, renderPost } from "/js/live-render.js";
import { readerTimeZone } from "/js/live-time.js";
import { BLUESKY_LIMIT, blueskyPostCount, blueskyText, graphemeCount } from "/js/graphemes.js";
import { attachCrossPost } from "./crosspost-console.js";

const slug = decodeURIComponent(location.pathname.replace(/\/+$/, "").split("/").pop() ?? "");

const pageStatus = document.getElementById("page-status");
const streamSelect = document.getElementById("stream-select");
const coverageState = document.getElementById("coverage-state");
const startButton = document.getElementById("coverage-start");
const endButton = document.getElementById("coverage-end");
const form = document.getElementById("compose-form");
const kindSelect = document.getElementById("compose-kind");
const speakerField = document.getElementById("speaker-field");
const speakerSelect = document.getElementById("compose-speaker");
const bodyBox = document.getElementById("compose-body");
const bodyLabel = document.getElementById("compose-title");
const countLine = document.getElementById("compose-count");
const countAnnouncer = document.getElementById("compose-count-announcer");
const linkBox = document.getElementById("compose-link");
const imageDetails = document.getElementById("image-upload");
const imageCount = document.getElementById("image-count");
const imageFile = document.getElementById("image-file");
const imageAlt = document.getElementById("image-alt");
const imageButton = document.getElementById("image-upload-button");
const attachedList = document.getElementById("attached-images");
const sendButton = document.getElementById("send");
const cancelEditButton = document.getElementById("cancel-edit");
const editingNote = document.getElementById("editing-note");
const feed = document.getElementById("console-stream");
const connectionStatus = document.getElementById("live-connection");

const stateTexts = { live: t("staffStateLive"), ended: t("staffStateEnded"), upcoming: t("staffStateNotStarted") };
const statusTexts = {
    [Status.connecting]: t("staffConnecting"),
    [Status.live]: t("staffConnected"),
    [Status.reconnecting]: t("staffReconnecting"),
    [Status.offline]: t("staffOffline"),
    [Status.closed]: t("staffCoverageClosed"),
};

let streams = [];
let stream = null;
let client = null;
/** Post id → the post as last rendered (the newest version). */
const posts = new Map();
/** Images uploaded for the next post: {id, url, altText, width, height}. */
let attached = [];
/** The post being edited, or null when composing a new one. */
let editing = null;
let optimisticCounter = 0;
let overLimitAnnounced = 0;

const timeZone = () => stream?.timeZone ?? readerTimeZone();

// ---------------------------------------------------------------------------------------------
// The stream beside the composer.

function findCard(id) {
    return feed.querySelector(`:scope > article.live-post[data-post-id="${CSS.escape(id)}"]`);
}

function controlButton(label, { pressed, describedBy, onClick, className = "button-secondary" }) {
    const button = el("button", {
        type: "button",
        class: `button-small ${className}`,
        "aria-pressed": pressed === undefined ? null : String(pressed),
        "aria-describedby": describedBy,
    }, label);
    button.addEventListener("click", () => onClick(button));
    return button;
}

function cardFor(postData) {
    const card = renderPost(postData, { timeZone: timeZone() });
    const describedBy = card.getAttribute("aria-labelledby");
    const marker = postData.kind === "sessionStarted" || postData.kind === "sessionEnded";
    const controls = el("div", { class: "post-controls", role: "group", "aria-label": t("staffPostActions") },
        marker ? null : controlButton(t("staffEdit"), { describedBy, onClick: () => startEdit(postData.id) }),
        controlButton(postData.pinned ? t("staffUnpin") : t("staffPin"), {
            pressed: postData.pinned, describedBy,
            onClick: (button) => act(button, () => put(`/api/streams/${stream.id}/posts/${postData.id}/pin`, { pinned: !posts.get(postData.id).pinned })),
        }),
        controlButton(t("staffKeyMoment"), {
            pressed: postData.keyMoment, describedBy,
            onClick: (button) => act(button, () => put(`/api/streams/${stream.id}/posts/${postData.id}/key-moment`, { keyMoment: !posts.get(postData.id).keyMoment })),
        }),
        controlButton(t("staffDelete"), { describedBy, className: "button-danger", onClick: (button) => confirmDelete(button, postData.id) }));
    card.append(controls);
    if (postData.author) {
        card.querySelector("header")?.append(el("span", { class: "post-author meta" }, postData.author));
    }
    if (editing?.id === postData.id) {
        card.classList.add("is-editing");
    }
    return card;
}

function updateEmpty() {
    const hasPosts = feed.querySelector(":scope > article.live-post") !== null;
    let empty = document.getElementById("console-empty");
    if (hasPosts) {
        empty?.remove();
    } else if (!empty) {
        empty = el("p", { class: "empty", id: "console-empty" }, t("staffNoPostsYet"));
        feed.prepend(empty);
    }
}

/** Shows a post from the server (push or API answer) unless a newer version is already shown. */
function upsert(postData) {
    const current = posts.get(postData.id);
    if (current && current.changeSequence >= postData.changeSequence) {
        return;
    }
    posts.set(postData.id, postData);
    const existing = findCard(postData.id);
    if (postData.deleted) {
        existing?.remove();
        if (editing?.id === postData.id) {
            stopEdit();
            announce(pageStatus, t("staffEditedPostDeleted"), { error: true });
        }
        updateEmpty();
        return;
    }
    const card = cardFor(postData);
    if (existing) {
        // Keep keyboard users where they were: the same control in the new card.
        const index = [...existing.querySelectorAll("button")].indexOf(document.activeElement);
        const hadFocus = existing.contains(document.activeElement);
        existing.replaceWith(card);
        if (hadFocus) {
            (card.querySelectorAll("button")[index] ?? card).focus({ preventScroll: true });
        }
    } else {
        // Newest first; optimistic ("sending") cards stay above everything.
        const before = [...feed.querySelectorAll(":scope > article.live-post:not(.is-sending):not(.is-failed)")]
            .find((other) => Number(other.dataset.sequence) < postData.sequence);
        feed.insertBefore(card, before ?? null);
    }
    updateEmpty();
}

async function act(button, call) {
    button.disabled = true;
    try {
        upsert(await call());
    } catch (error) {
        announce(pageStatus, describeFailure(error), { error: true });
    } finally {
        button.disabled = false;
    }
}

function confirmDelete(button, id) {
    if (button.dataset.confirming !== "true") {
        button.dataset.confirming = "true";
        button.textContent = t("staffConfirmDelete");
        setTimeout(() => {
            if (button.isConnected) {
                button.dataset.confirming = "false";
                button.textContent = t("staffDelete");
            }
        }, 5000);
        return;
    }
    act(button, () => del(`/api/streams/${stream.id}/posts/${id}`));
}

// ---------------------------------------------------------------------------------------------
// Streams and coverage.

function streamLabel(s) {
    const title = s.sessionId ? s.title : t("staffWholeEvent", { title: s.title });
    return `${title} (${stateTexts[s.state] ?? s.state})`;
}

function showStreamState() {
    coverageState.textContent = stateTexts[stream.state] ?? stream.state;
    coverageState.className = `live-state state-${stream.state}`;
    startButton.hidden = stream.state === "live";
    startButton.textContent = stream.state === "ended" ? t("staffRestartCoverage") : t("staffStartCoverage");
    endButton.hidden = stream.state !== "live";
    const option = [...streamSelect.options].find((o) => o.value === stream.id);
    if (option) {
        option.textContent = streamLabel(stream);
    }
    const publicLink = document.getElementById("public-link");
    publicLink.href = stream.pageUrl;
    publicLink.hidden = false;
    const recapLink = document.getElementById("recap-link");
    recapLink.href = `/staff/recap/${encodeURIComponent(stream.eventSlug)}`;
    recapLink.hidden = false;
}

function updateStream(updated) {
    if (!updated) {
        return;
    }
    const index = streams.findIndex((s) => s.id === updated.id);
    if (index >= 0) {
        streams[index] = updated;
    }
    if (stream && updated.id === stream.id) {
        stream = updated;
        showStreamState();
    }
}

async function setCoverage(action, button) {
    const url = stream.sessionId
        ? `/api/events/${encodeURIComponent(slug)}/sessions/${stream.sessionId}/coverage/${action}`
        : `/api/events/${encodeURIComponent(slug)}/coverage/${action}`;
    button.disabled = true;
    try {
        updateStream(await post(url));
        announce(pageStatus, action === "start" ? t("staffCoverageStarted", { title: stream.title }) : t("staffCoverageEnded", { title: stream.title }));
    } catch (error) {
        announce(pageStatus, describeFailure(error), { error: true });
    } finally {
        button.disabled = false;
    }
}

startButton.addEventListener("click", () => setCoverage("start", startButton));
endButton.addEventListener("click", () => setCoverage("end", endButton));

// Each post's Bluesky state (queued, posted with a link, failed with the reason and Retry).
let stopCrossPost = () => {};

async function chooseStream(id) {
    stream = streams.find((s) => s.id === id) ?? streams[0];
    stopCrossPost();
    stopCrossPost = attachCrossPost(stream.id, (postId) => findCard(postId), { statusElement: document.getElementById("crosspost-queue") });
    streamSelect.value = stream.id;
    const url = new URL(location.href);
    url.searchParams.set("stream", stream.id);
    history.replaceState(null, "", url);
    posts.clear();
    feed.replaceChildren();
    updateEmpty();
    stopEdit();
    clearAttached();
    showStreamState();
    if (client) {
        await client.switchTo(stream.id);
    }
}

streamSelect.addEventListener("change", () => chooseStream(streamSelect.value));

// ---------------------------------------------------------------------------------------------
// Composing.

function updateKind() {
    const quote = kindSelect.value === "quote";
    speakerField.hidden = !quote;
    bodyLabel.textContent = editing ? t("staffEditPost") : quote ? t("staffQuoteLabel") : t("staffUpdateLabel");
}

kindSelect.addEventListener("change", () => {
    updateKind();
    updateCount();
});

function updateCount() {
    const text = blueskyText({
        kind: kindSelect.value,
        body: bodyBox.value,
        speakerName: kindSelect.value === "quote" ? speakerSelect.selectedOptions[0]?.dataset.name : null,
        linkUrl: linkBox.value.trim(),
    });
    const count = graphemeCount(text);
    const parts = blueskyPostCount(text);
    const over = count > BLUESKY_LIMIT;
    countLine.textContent = over
        ? t("staffCountSplit", { count, limit: BLUESKY_LIMIT, parts })
        : `${count} / ${BLUESKY_LIMIT}`;
    countLine.classList.toggle("is-over", over);
    // Announce only when the number of Bluesky posts changes, never on every keystroke.
    const announced = over ? parts : 0;
    if (announced !== overLimitAnnounced) {
        overLimitAnnounced = announced;
        countAnnouncer.textContent = over
            ? t("staffOverLimit", { limit: BLUESKY_LIMIT, parts })
            : t("staffWithinLimit", { limit: BLUESKY_LIMIT });
    }
}

bodyBox.addEventListener("input", updateCount);
linkBox.addEventListener("input", updateCount);
speakerSelect.addEventListener("change", updateCount);

// Remember where the caret was, so a quick insert lands there even after the button took focus.
let selection = { start: 0, end: 0 };
const rememberSelection = () => {
    selection = { start: bodyBox.selectionStart, end: bodyBox.selectionEnd };
};
bodyBox.addEventListener("select", rememberSelection);
bodyBox.addEventListener("keyup", rememberSelection);
bodyBox.addEventListener("mouseup", rememberSelection);
bodyBox.addEventListener("blur", rememberSelection);

for (const button of document.querySelectorAll(".quick-inserts [data-insert]")) {
    // Keep the focus in the compose box when clicked with a mouse or a finger.
    button.addEventListener("mousedown", (event) => event.preventDefault());
    button.addEventListener("click", () => {
        const start = document.activeElement === bodyBox ? bodyBox.selectionStart : selection.start;
        const end = document.activeElement === bodyBox ? bodyBox.selectionEnd : selection.end;
        let text = button.dataset.insert;
        const before = bodyBox.value.slice(0, start);
        if (before.length > 0 && !/\s$/.test(before) && !/^[A-Z]/.test(text)) {
            text = ` ${text}`;
        }
        bodyBox.focus();
        bodyBox.setRangeText(text, start, end, "end");
        rememberSelection();
        if (button.dataset.kind && kindSelect.value === "update") {
            kindSelect.value = button.dataset.kind;
            updateKind();
        }
        updateCount();
    });
}

function selectedFormat() {
    return form.elements.format.value || "plainText";
}

function setFormat(value) {
    for (const radio of form.querySelectorAll("input[name='format']")) {
        radio.checked = radio.value === value;
    }
}

function request() {
    const body = bodyBox.value.trim();
    return {
        kind: kindSelect.value,
        body: body === "" ? null : bodyBox.value,
        format: selectedFormat(),
        speakerId: kindSelect.value === "quote" && speakerSelect.value ? speakerSelect.value : null,
        linkUrl: linkBox.value.trim() === "" ? null : linkBox.value.trim(),
    };
}

function resetCompose() {
    bodyBox.value = "";
    linkBox.value = "";
    kindSelect.value = "update";
    speakerSelect.value = "";
    clearAttached();
    updateKind();
    updateCount();
}

function restoreCompose(saved) {
    bodyBox.value = saved.body ?? "";
    linkBox.value = saved.linkUrl ?? "";
    kindSelect.value = saved.kind;
    speakerSelect.value = saved.speakerId ?? "";
    setFormat(saved.format);
    attached = saved.images ?? [];
    showAttached();
    updateKind();
    updateCount();
}

const escapeText = (text) => text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

/** A stand-in card for a post on its way to the server. */
function optimisticCard(saved) {
    const speaker = saved.speakerId ? { id: saved.speakerId, name: speakerSelect.querySelector(`option[value="${CSS.escape(saved.speakerId)}"]`)?.dataset.name ?? "" } : null;
    const card = renderPost({
        id: `sending-${++optimisticCounter}`,
        sequence: 0,
        changeSequence: 0,
        kind: saved.kind,
        keyMoment: saved.kind === "keyMoment",
        pinned: false,
        html: escapeText(saved.body ?? "").replaceAll("\n", "<br>"),
        speaker,
        linkUrl: saved.linkUrl,
        images: saved.images,
        createdAt: new Date().toISOString(),
        permalink: "#",
    }, { timeZone: timeZone(), idPrefix: `sending-${optimisticCounter}-` });
    card.classList.add("is-sending");
    card.setAttribute("aria-busy", "true");
    card.append(el("p", { class: "send-state", role: "status" }, t("staffSending")));
    return card;
}

function failCard(card, saved, error, restored) {
    card.classList.remove("is-sending");
    card.classList.add("is-failed");
    card.removeAttribute("aria-busy");
    const reason = failureReason(error);
    const retry = controlButton(t("staffEditAndRetry"), {
        className: "button-secondary",
        onClick: () => {
            restoreCompose(saved);
            card.remove();
            updateEmpty();
            bodyBox.focus();
        },
    });
    const dismiss = controlButton(t("staffDismiss"), { onClick: () => { card.remove(); updateEmpty(); } });
    card.querySelector(".send-state").replaceWith(el("div", { class: "send-state send-failed", role: "alert" },
        el("p", {}, el("strong", {}, t("staffNotSent")), " ", reason, restored ? ` ${t("staffTextRestored")}` : ""),
        el("div", { class: "post-controls" }, restored ? null : retry, dismiss)));
}

function failureReason(error) {
    if (error instanceof ApiError) {
        const fieldErrors = Object.entries(error.errors).map(([key, reasons]) => `${key}: ${[].concat(reasons).join(" ")}`);
        if (fieldErrors.length > 0) {
            return fieldErrors.join(" ");
        }
    }
    return describeFailure(error);
}

/** A post whose outcome is unknown (no answer): its request fingerprint and Idempotency-Key. */
let unsettled = null;

/** Posts with an Idempotency-Key, retrying a few times when there is no answer or the server is briefly unavailable. */
async function postOnce(url, payload, key) {
    const delays = [1000, 2000, 4000];
    for (let attempt = 0; ; attempt++) {
        try {
            return await post(url, payload, { headers: { "Idempotency-Key": key } });
        } catch (error) {
            const transient = error instanceof ApiError && (error.status === 0 || error.status === 503);
            if (!transient || attempt >= delays.length) {
                throw error;
            }
            await new Promise((resolve) => setTimeout(resolve, delays[attempt]));
        }
    }
}

async function send() {
    if (!stream) {
        return;
    }
    if (editing) {
        await saveEdit();
        return;
    }
    const body = request();
    if (body.body === null && attached.length === 0) {
        bodyBox.focus();
        announce(pageStatus, t("staffWriteFirst"), { error: true });
        return;
    }
    const saved = { ...body, images: [...attached] };
    const streamId = stream.id;
    const card = optimisticCard(saved);
    feed.prepend(card);
    updateEmpty();
    clearErrors(form);
    announce(pageStatus, "");
    resetCompose();
    bodyBox.focus();
    const payload = { ...body, imageIds: saved.images.map((i) => i.id) };
    // The same post sent again (after a lost answer) keeps its key, so the server stores it once.
    const fingerprint = JSON.stringify([streamId, payload]);
    const key = unsettled?.fingerprint === fingerprint ? unsettled.key : newIdempotencyKey();
    try {
        const created = await postOnce(`/api/streams/${streamId}/posts`, payload, key);
        unsettled = null;
        card.remove();
        if (stream?.id === streamId) {
            upsert(created);
        }
    } catch (error) {
        // No answer, or the server was unavailable: the post may or may not be stored. Sending it again as it is
        // reuses the key, so it cannot appear twice.
        unsettled = error instanceof ApiError && (error.status === 0 || error.status >= 500) ? { fingerprint, key } : null;
        // Rejected: say why, on the card and next to the field, and put the text back if the box is still free.
        const restored = bodyBox.value.trim() === "" && attached.length === 0 && stream?.id === streamId;
        failCard(card, saved, error, restored);
        if (restored) {
            const hadFocus = document.activeElement === bodyBox;
            restoreCompose(saved);
            showErrors(form, error);
            if (hadFocus) {
                bodyBox.focus({ preventScroll: true });
            }
        }
    }
}

function startEdit(id) {
    const postData = posts.get(id);
    if (!postData || postData.deleted) {
        return;
    }
    editing = postData;
    for (const card of feed.querySelectorAll(".is-editing")) {
        card.classList.remove("is-editing");
    }
    findCard(id)?.classList.add("is-editing");
    clearErrors(form);
    bodyBox.value = postData.body ?? "";
    linkBox.value = postData.linkUrl ?? "";
    kindSelect.value = ["update", "quote", "keyMoment", "questionsOpen"].includes(postData.kind) ? postData.kind : "update";
    speakerSelect.value = postData.speaker?.id ?? "";
    setFormat(postData.format);
    editingNote.textContent = t("staffEditingPost", { time: findCard(id)?.querySelector("time")?.textContent ?? "" });
    editingNote.hidden = false;
    imageDetails.hidden = true;
    sendButton.textContent = t("staffSaveEdit");
    cancelEditButton.hidden = false;
    updateKind();
    updateCount();
    form.scrollIntoView({ block: "nearest" });
    bodyBox.focus();
}

function stopEdit() {
    if (!editing) {
        return;
    }
    findCard(editing.id)?.classList.remove("is-editing");
    editing = null;
    editingNote.hidden = true;
    imageDetails.hidden = false;
    sendButton.textContent = t("staffSend");
    cancelEditButton.hidden = true;
    clearErrors(form);
    resetCompose();
}

cancelEditButton.addEventListener("click", () => {
    stopEdit();
    bodyBox.focus();
});

async function saveEdit() {
    const target = editing;
    const body = request();
    const card = findCard(target.id);
    card?.classList.add("is-sending");
    sendButton.disabled = true;
    try {
        const updated = await put(`/api/streams/${stream.id}/posts/${target.id}`, body);
        stopEdit();
        upsert(updated);
        announce(pageStatus, t("staffEditSaved"));
        bodyBox.focus();
    } catch (error) {
        // The text stays in the box; the reason is shown next to the field.
        const hadFocus = document.activeElement === bodyBox;
        showErrors(form, error);
        if (hadFocus) {
            bodyBox.focus({ preventScroll: true });
        }
    } finally {
        card?.classList.remove("is-sending");
        sendButton.disabled = false;
    }
}

form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
});

form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        send();
    } else if (event.key === "Enter" && event.target === imageAlt && !event.shiftKey) {
        event.preventDefault();
        upload();
    } else if (event.key === "Escape" && editing) {
        stopEdit();
        bodyBox.focus();
    }
});

// ---------------------------------------------------------------------------------------------
// Images: uploaded first (with their alt text), then attached to the post by id.

function clearAttached() {
    attached = [];
    showAttached();
}

function showAttached() {
    attachedList.replaceChildren(...attached.map((image) => {
        const remove = el("button", { type: "button", class: "button-small button-secondary" }, t("staffRemove"));
        remove.addEventListener("click", () => {
            attached = attached.filter((i) => i.id !== image.id);
            showAttached();
            imageFile.focus();
        });
        return el("li", {}, el("img", { src: image.url, alt: image.altText, width: image.width, height: image.height }),
            el("span", { class: "attached-alt" }, image.altText), remove);
    }));
    imageCount.textContent = attached.length > 0 ? `(${attached.length} attached)` : "";
}

async function upload() {
    const fieldset = imageDetails;
    clearErrors(form);
    announce(pageStatus, "");
    const data = new FormData();
    if (imageFile.files?.[0]) {
        data.append("file", imageFile.files[0]);
    }
    data.append("altText", imageAlt.value);
    imageButton.disabled = true;
    imageButton.setAttribute("aria-busy", "true");
    try {
        const token = await antiforgeryToken();
        let response;
        try {
            response = await fetch(`/api/streams/${stream.id}/images`, {
                method: "POST",
                body: data,
                headers: { Accept: "application/json", [token.headerName]: token.token },
                credentials: "same-origin",
            });
        } catch {
            throw new ApiError(0, { title: t("staffServerUnreachable") });
        }
        if (response.status === 401) {
            goToSignIn();
            return;
        }
        const answer = (response.headers.get("Content-Type") ?? "").includes("json") ? await response.json().catch(() => null) : null;
        if (!response.ok) {
            throw new ApiError(response.status, answer);
        }
        attached.push(answer);
        showAttached();
        imageFile.value = "";
        imageAlt.value = "";
        announce(pageStatus, t("staffImageUploaded"));
        bodyBox.focus();
    } catch (error) {
        fieldset.open = true;
        showErrors(form, error);
    } finally {
        imageButton.disabled = false;
        imageButton.removeAttribute("aria-busy");
    }
}

imageButton.addEventListener("click", upload);

// ---------------------------------------------------------------------------------------------
// Start.

async function loadSpeakers() {
    const speakers = await get("/api/speakers");
    speakerSelect.append(...speakers.map((s) => el("option", { value: s.id, "data-name": s.name }, s.affiliation ? `${s.name} (${s.affiliation})` : s.name)));
}

try {
    await requireStaff();
    [streams] = await Promise.all([get(`/api/events/${encodeURIComponent(slug)}/streams`), loadSpeakers()]);
    document.title = t("staffPageTitle", { page: t("staffLiveConsoleTitle", { title: streams[0].eventTitle }) });
    document.getElementById("page-title").textContent = t("staffLiveConsoleTitle", { title: streams[0].eventTitle });
    streamSelect.replaceChildren(...streams.map((s) => el("option", { value: s.id }, streamLabel(s))));
    const wanted = new URLSearchParams(location.search).get("stream");
    const initial = streams.find((s) => s.id === wanted)
        ?? streams.find((s) => s.sessionId && s.state === "live")
        ?? streams[0];
    await chooseStream(initial.id);
    client = new LiveStreamClient({
        stream: stream.id,
        onStatus: (status) => {
            connectionStatus.textContent = statusTexts[status] ?? status;
            connectionStatus.className = `connection connection-${status}`;
            document.body.dataset.connection = status;
        },
        onChanges: ({ posts: changed, stream: streamData }) => {
            updateStream(streamData);
            for (const postData of changed) {
                upsert(postData);
            }
        },
    });
    document.getElementById("console").hidden = false;
    updateCount();
    bodyBox.focus();
    await client.start();
} catch (error) {
    announce(pageStatus, error instanceof ApiError && error.status === 404
        ? t("staffNoEventToCover", { slug })
        : describeFailure(error), { error: true });
} finally {
    document.getElementById("loading").hidden = true;
}
