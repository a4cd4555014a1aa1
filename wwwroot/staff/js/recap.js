// Staff recaps (/staff/recap/{event-slug}): one panel per session. A session whose coverage has ended has a
// draft (built when it ended, or on request); staff edit it, save, publish and withdraw it.
import { locale, t } from "/js/strings.js";
import { announce, ApiError, del, describeFailure, get, h, post, put, requireStaff, submitting, text } from "./api.js";

const slug = decodeURIComponent(location.pathname.split("/").filter(Boolean).at(-1) ?? "");
const list = document.getElementById("recaps");
const pageStatus = document.getElementById("page-status");

const blueskyTexts = {
    Queued: t("staffBlueskyQueued"),
    Sending: t("staffBlueskySending"),
    Posted: t("staffBlueskyPosted"),
    Failed: t("staffBlueskyFailed"),
    Skipped: t("staffBlueskySkipped"),
};

function statusText(recap) {
    if (!recap.published) {
        return t("staffRecapDraft");
    }
    const when = new Date(recap.publishedAt).toLocaleString(locale);
    const bluesky = recap.bluesky ? ` ${t("staffRecapQuotePost", { state: blueskyTexts[recap.bluesky.state] ?? recap.bluesky.state })}` : "";
    return (recap.draftDiffersFromPublished
        ? t("staffRecapPublishedChanged", { when })
        : t("staffRecapPublishedAt", { when })) + bluesky;
}

function panel(stream, recap) {
    const id = stream.id;
    const section = h("section", { class: "panel recap-panel", id: `recap-${id}`, "aria-labelledby": `recap-heading-${id}` },
        h("h2", { id: `recap-heading-${id}` }, stream.title));
    const status = h("p", { class: "notice", role: "status", "aria-live": "polite", id: `recap-status-${id}` });
    section.append(status);

    if (!recap) {
        if (stream.state !== "ended") {
            status.textContent = stream.state === "live" ? t("staffRecapCoverageLive") : t("staffRecapNotStarted");
            return section;
        }
        status.textContent = t("staffRecapNoDraft");
        const build = h("button", { type: "button", class: "button-small" }, t("staffRecapBuild"));
        build.addEventListener("click", async () => {
            try {
                section.replaceWith(panel(stream, await post(`/api/streams/${id}/recap`)));
            } catch (error) {
                announce(status, describeFailure(error), { error: true });
            }
        });
        section.append(build);
        return section;
    }

    let current = recap;
    status.textContent = statusText(current);
    const form = h("form", { class: "recap-form", novalidate: true },
        h("div", { class: "error-summary", hidden: true, tabindex: "-1" }),
        h("div", { class: "field", "data-field": "title" },
            h("label", { for: `recap-title-${id}` }, t("staffRecapTitle")),
            h("input", { id: `recap-title-${id}`, name: "title", type: "text", maxlength: "200", value: current.title })),
        h("div", { class: "field", "data-field": "body" },
            h("label", { for: `recap-body-${id}` }, t("staffRecapBody")),
            h("textarea", { id: `recap-body-${id}`, name: "body", rows: "14" })),
        h("div", { class: "field field-checkbox", "data-field": "postToBluesky" },
            h("label", {},
                h("input", { type: "checkbox", name: "postToBluesky", disabled: Boolean(current.bluesky) }),
                ` ${t("staffRecapAlsoBluesky")}`)),
        h("div", { class: "form-actions" },
            h("button", { type: "submit", name: "save" }, t("staffRecapSaveDraft")),
            h("button", { type: "button", class: "button-secondary", "data-action": "publish" }, t("staffRecapPublish")),
            h("button", { type: "button", class: "button-secondary", "data-action": "withdraw", hidden: !current.published }, t("staffRecapWithdraw")),
            h("a", { class: "button button-secondary", href: current.pageUrl, target: "_blank", rel: "noopener", "data-role": "view", hidden: !current.published }, t("staffRecapView"))));
    form.elements.body.value = current.body;

    const show = (next, message) => {
        current = next;
        form.elements.title.value = next.title;
        form.elements.body.value = next.body;
        form.querySelector("[data-action=withdraw]").hidden = !next.published;
        form.querySelector("[data-role=view]").hidden = !next.published;
        form.elements.postToBluesky.disabled = Boolean(next.bluesky);
        form.elements.postToBluesky.checked = Boolean(next.bluesky);
        announce(status, message ? `${message} ${statusText(next)}` : statusText(next));
    };
    const save = async () => {
        const title = text(form, "title");
        const body = text(form, "body");
        if (title === current.title && body === current.body) {
            return current;
        }
        return put(`/api/streams/${id}/recap`, { title, body, version: current.version });
    };

    form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const saved = await submitting(form, save);
        if (saved) {
            show(saved, t("staffSaved"));
        }
    });
    form.querySelector("[data-action=publish]").addEventListener("click", async () => {
        const published = await submitting(form, async () => {
            await save().then((saved) => (current = saved));
            return post(`/api/streams/${id}/recap/publish`, { postToBluesky: form.elements.postToBluesky.checked });
        });
        if (published) {
            show(published, t("staffPublished"));
        }
    });
    form.querySelector("[data-action=withdraw]").addEventListener("click", async () => {
        const withdrawn = await submitting(form, () => del(`/api/streams/${id}/recap/publish`));
        if (withdrawn) {
            show(withdrawn, t("staffWithdrawn"));
        }
    });
    section.append(form);
    return section;
}

try {
    await requireStaff();
    const streams = (await get(`/api/events/${encodeURIComponent(slug)}/streams`)).filter((s) => s.sessionId);
    document.getElementById("page-title").textContent = t("staffRecapsTitle", { title: streams[0]?.eventTitle ?? slug });
    document.title = t("staffPageTitle", { page: t("staffRecapsTitle", { title: streams[0]?.eventTitle ?? slug }) });
    document.getElementById("console-link").href = `/staff/live/${encodeURIComponent(slug)}`;
    for (const stream of streams) {
        let recap = null;
        try {
            recap = await get(`/api/streams/${stream.id}/recap`);
        } catch (error) {
            if (!(error instanceof ApiError && error.status === 404)) {
                throw error;
            }
        }
        list.append(panel(stream, recap));
    }
    if (streams.length === 0) {
        list.append(h("p", {}, t("staffRecapNoSessions")));
    }
} catch (error) {
    announce(pageStatus, describeFailure(error), { error: true });
} finally {
    document.getElementById("loading").hidden = true;
}
