// Sign-in page: POST /api/account/login with the antiforgery header, then go back where the user came from.
import { ApiError, antiforgeryToken, get, post, showErrors, submitting } from "./api.js";
import { t } from "/js/strings.js";

/** Only local staff pages are allowed as a return address (no open redirect). */
function returnUrl() {
    const params = new URLSearchParams(location.search);
    const wanted = params.get("returnUrl") || params.get("ReturnUrl") || "";
    return /^\/staff\/(?!\/)/.test(wanted) && !wanted.startsWith("/staff/login") ? wanted : "/staff/";
}

const form = document.getElementById("login-form");

form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await submitting(form, async () => {
        const email = form.elements.email.value.trim();
        const password = form.elements.password.value;
        try {
            await post("/api/account/login", { email, password, rememberMe: form.elements.rememberMe.checked }, { redirectOn401: false });
        } catch (error) {
            if (error instanceof ApiError && [401, 423].includes(error.status)) {
                form.elements.password.value = "";
            }
            throw error;
        }
        // The antiforgery token is bound to the user: the next page fetches a fresh one.
        location.assign(returnUrl());
    });
});

// Already signed in? Say so, but leave the form usable (to switch accounts).
try {
    const me = await get("/api/account/me", { redirectOn401: false });
    const already = document.getElementById("already");
    already.replaceChildren(`${t("staffSignedInAs", { name: me.displayName || me.email })} `);
    const link = document.createElement("a");
    link.href = returnUrl();
    link.textContent = t("staffContinue");
    already.append(link);
    already.hidden = false;
} catch {
    // Not signed in: the normal case.
}
// Warm the token so that the first submit is quick.
antiforgeryToken().catch(() => {});
