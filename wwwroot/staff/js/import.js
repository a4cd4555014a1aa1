// Calendar import: preview an .ics file or URL, then confirm the same source (the server checks its hash).
import { announce, describeFailure, h, post, requireStaff, showErrors, submitting } from "./api.js";
import { t } from "/js/strings.js";

const form = document.getElementById("import-form");
const pageStatus = document.getElementById("page-status");
const previewSection = document.getElementById("preview");
const confirmButton = document.getElementById("confirm-button");
let pending = null;

/** The request body for the chosen source: a URL, or the file's bytes in base64. */
async function sourceRequest() {
    const url = form.elements.url.value.trim();
    const file = form.elements.file.files[0];
    const publish = form.elements.publish.checked;
    if (file && !url) {
        const bytes = new Uint8Array(await file.arrayBuffer());
        let binary = "";
        for (let i = 0; i < bytes.length; i += 0x8000) {
            binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        }
        return { fileName: file.name, content: btoa(binary), publish };
    }
    // Neither or both: the server names the problem.
    return { url: url || null, publish, ...(file ? { fileName: file.name, content: "" } : {}) };
}

const actionLabels = { create: t("staffImportCreate"), update: t("staffImportUpdate"), skip: t("staffImportSkip") };

function row(item) {
    const when = item.startsAt ? item.startsAt.slice(0, 16).replace("T", " ") : "";
    const title = item.slug
        ? h("a", { href: `/events/${encodeURIComponent(item.slug)}` }, item.title ?? item.uid ?? "")
        : h("span", {}, item.title ?? item.uid ?? t("staffNoTitle"));
    return h("tr", { class: `import-${item.action}` },
        h("td", { "data-label": t("staffColumnAction") }, h("strong", {}, actionLabels[item.action] ?? item.action)),
        h("td", { "data-label": t("staffColumnEvent") }, title, h("br"), h("span", { class: "hint" }, t("staffImportLine", { line: item.line, uid: item.uid ?? t("staffImportNone") }))),
        h("td", { "data-label": t("staffColumnStarts") }, when),
        h("td", { "data-label": t("staffColumnWhy") }, item.reasons.join(" ")));
}

function show(result) {
    document.getElementById("preview-summary").textContent = t(result.applied ? "staffImportedSummary" : "staffWouldImportSummary",
        { source: result.source, created: result.created, updated: result.updated, skipped: result.skipped });
    document.getElementById("preview-warnings").replaceChildren(...result.warnings.map((w) => h("li", {}, w)));
    document.getElementById("preview-body").replaceChildren(...result.items.map(row));
    previewSection.hidden = false;
    confirmButton.hidden = result.applied || result.created + result.updated === 0;
    document.getElementById("preview-heading").focus();
}

form.addEventListener("submit", async (event) => {
    event.preventDefault();
    announce(pageStatus, "");
    previewSection.hidden = true;
    await submitting(form, async () => {
        const request = await sourceRequest();
        const result = await post("/api/import/preview", request);
        pending = { ...request, expectedSha256: result.sha256 };
        show(result);
    });
});

confirmButton.addEventListener("click", async () => {
    if (!pending) {
        return;
    }
    confirmButton.disabled = true;
    try {
        const result = await post("/api/import/confirm", pending);
        pending = null;
        show(result);
        announce(pageStatus, t("staffImportedDone", { created: result.created, updated: result.updated, skipped: result.skipped }));
    } catch (error) {
        showErrors(form, error);
        announce(pageStatus, describeFailure(error), { error: true });
    } finally {
        confirmButton.disabled = false;
    }
});

document.getElementById("cancel-button").addEventListener("click", () => {
    pending = null;
    previewSection.hidden = true;
    form.reset();
    form.elements.file.focus();
});

try {
    await requireStaff();
} catch (error) {
    announce(pageStatus, describeFailure(error), { error: true });
}
