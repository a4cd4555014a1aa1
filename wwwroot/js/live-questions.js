// Audience questions on the live page and the board: the approved list (kept by revision: a list never replaces a
// newer one) and, on the live page, the form. Text is always set as text; only http(s) links become links.
import { t } from "./strings.js";

/** Builds one question's list item, as the server renders it (QuestionItem.razor). */
export function renderQuestion(q) {
    const item = document.createElement("li");
    item.className = q.answered ? "question answered" : "question";
    item.id = `question-${q.id}`;
    item.dataset.questionId = q.id;
    const text = document.createElement("p");
    text.className = "question-text";
    let at = 0;
    for (const link of [...(q.links ?? [])].sort((a, b) => a.start - b.start)) {
        if (link.start < at || !/^https?:\/\//i.test(link.uri)) {
            continue;
        }
        text.append(q.text.slice(at, link.start));
        const a = document.createElement("a");
        a.href = link.uri;
        a.rel = "nofollow ugc noopener";
        a.target = "_blank";
        a.textContent = q.text.slice(link.start, link.start + link.length);
        text.append(a);
        at = link.start + link.length;
    }
    text.append(q.text.slice(at));
    const meta = document.createElement("p");
    meta.className = "question-meta";
    if (q.askerHandle && q.askerUrl && /^https:\/\/bsky\.app\//.test(q.askerUrl)) {
        const a = document.createElement("a");
        a.className = "asker";
        a.href = q.askerUrl;
        a.rel = "nofollow noopener";
        a.target = "_blank";
        a.textContent = `@${q.askerHandle}`;
        meta.append(a);
    } else {
        const span = document.createElement("span");
        span.className = "asker";
        span.textContent = t("questionAnAttendee");
        meta.append(span);
    }
    if (q.alsoAsked > 0) {
        const span = document.createElement("span");
        span.className = "also-asked";
        span.textContent = ` · ${q.alsoAsked === 1 ? t("questionAlsoAskedOne") : t("questionAlsoAskedMany", { count: q.alsoAsked })}`;
        meta.append(span);
    }
    if (q.answered) {
        const span = document.createElement("span");
        span.className = "answered-label";
        span.textContent = ` · ${t("questionAnswered")}`;
        meta.append(span);
    }
    item.append(text, meta);
    return item;
}

/**
 * Keeps a list element current. Returns { apply(list), refresh() }: apply takes a pushed or fetched list and ignores
 * one older than what is shown; refresh re-reads the list (after every join, so nothing missed while away is lost).
 */
export function questionList(container, { streamId, revision = 0, onRendered = () => {} }) {
    const list = container.querySelector("#questions-list");
    const empty = container.querySelector("#questions-empty");
    let shownRevision = Number(revision) || 0;

    function apply(message) {
        if (!message || (message.streamId && message.streamId.toLowerCase() !== streamId.toLowerCase())) {
            return;
        }
        if (Number(message.revision) < shownRevision) {
            return;
        }
        shownRevision = Number(message.revision);
        list.replaceChildren(...message.questions.map(renderQuestion));
        if (empty) {
            empty.hidden = message.questions.length > 0;
        }
        onRendered();
    }

    async function refresh() {
        try {
            const response = await fetch(`/api/streams/${streamId}/questions`, { cache: "no-store", headers: { Accept: "application/json" } });
            if (response.ok) {
                apply(await response.json());
            }
        } catch {
            // Offline: the next join reads it again.
        }
    }

    return { apply, refresh };
}

/** The live page's form: sent as JSON, answered in the status line, never reloading the page. */
export function askForm(form, streamId) {
    if (!form) {
        return;
    }
    const status = form.querySelector("#ask-status");
    const text = form.querySelector("#ask-text");
    const website = form.querySelector("#ask-website");
    const send = form.querySelector("#ask-send");
    form.addEventListener("submit", async (event) => {
        event.preventDefault();
        send.disabled = true;
        status.textContent = t("askSending");
        try {
            const response = await fetch(`/api/streams/${streamId}/questions`, {
                method: "POST",
                headers: { "Content-Type": "application/json", Accept: "application/json" },
                body: JSON.stringify({ text: text.value, website: website?.value ?? "" }),
            });
            const body = await response.json().catch(() => null);
            // The reader's language, not the API's English; only a validation reason comes from the server as it is.
            const reasons = body?.errors ? Object.values(body.errors).flat() : [];
            if (response.ok) {
                status.textContent = t("askThanks");
                text.value = "";
            } else if (response.status === 429) {
                status.textContent = t("askTooMany");
            } else if (response.status === 409) {
                status.textContent = t("askClosed");
            } else if (response.status === 503) {
                status.textContent = t("askBusy");
            } else if (reasons.length) {
                status.textContent = t("askNotAccepted", { reason: reasons.join(" ") });
            } else {
                status.textContent = t("askFailed");
            }
        } catch {
            status.textContent = t("askOffline");
        } finally {
            send.disabled = false;
        }
    });
}
