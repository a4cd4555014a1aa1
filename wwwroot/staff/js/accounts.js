// Staff accounts: everyone sets their own public name; admins list, add, change role, disable, unlock, delete.
import { t } from "/js/strings.js";
import { announce, del, describeFailure, formatLocal, get, h, post, put, requireStaff, submitting, text, upperFirst } from "./api.js";

const profileForm = document.getElementById("profile-form");

const form = document.getElementById("staff-form");
const pageStatus = document.getElementById("page-status");
const roles = ["Editor", "Admin"];
const roleTexts = { Editor: t("staffRoleEditor"), Admin: t("staffRoleAdmin") };
let me = null;

async function act(action, success) {
    announce(pageStatus, "");
    try {
        await action();
        await load();
        announce(pageStatus, success);
    } catch (error) {
        const fieldReasons = upperFirst(Object.values(error?.errors ?? {}).flat().join(" "));
        const failure = describeFailure(error);
        announce(pageStatus, fieldReasons ? `${failure.replace(/\.?$/, ".")} ${fieldReasons}` : failure, { error: true });
    }
}

function row(member) {
    const name = member.displayName;
    const isMe = member.id === me.id;
    const roleSelect = h("select", { id: `role-${member.id}`, "aria-label": t("staffRoleOf", { name }) },
        ...roles.map((role) => h("option", { value: role, selected: member.roles.includes(role) }, roleTexts[role])));
    return h("tr", { id: `staff-${member.id}` },
        h("td", { "data-label": t("staffColumnEmail") }, h("span", { class: "row-title" }, member.email, isMe ? ` ${t("staffYou")}` : "")),
        h("td", { "data-label": t("staffColumnName") }, h("span", {}, member.displayName)),
        h("td", { "data-label": t("staffColumnRole") },
            h("span", { class: "inline-control" }, roleSelect,
                h("button", {
                    type: "button", class: "button-small button-secondary", "aria-label": t("staffChangeRoleOf", { name }),
                    onclick: () => act(() => put(`/api/staff/${encodeURIComponent(member.id)}`, { role: roleSelect.value }), t(roleSelect.value === "Admin" ? "staffNowAdmin" : "staffNowEditor", { name })),
                }, t("staffChange")))),
        h("td", { "data-label": t("staffColumnSignIn") },
            h("span", {},
                member.disabled ? h("span", { class: "badge badge-cancelled" }, t("staffDisabled"))
                    : member.lockedOut ? h("span", { class: "badge badge-cancelled" }, t("staffLockedOut")) : t("staffAllowed"),
                h("br"),
                h("span", { class: "hint" }, member.lastSignInAt ? t("staffLastSignedIn", { when: formatLocal(member.lastSignInAt) }) : t("staffNeverSignedIn")))),
        h("td", { class: "cell-actions" },
            member.lockedOut
                ? h("button", {
                    type: "button", class: "button-small", "aria-label": t("staffUnlockName", { name }),
                    onclick: () => act(() => put(`/api/staff/${encodeURIComponent(member.id)}`, { unlock: true }), t("staffUnlocked", { name })),
                }, t("staffUnlock"))
                : null,
            isMe
                ? null
                : h("button", {
                    type: "button", class: "button-small button-secondary", "aria-label": t(member.disabled ? "staffEnableAccountOf" : "staffDisableAccountOf", { name }),
                    onclick: () => act(() => put(`/api/staff/${encodeURIComponent(member.id)}`, { disabled: !member.disabled }),
                        member.disabled ? t("staffEnabledAccount", { name }) : t("staffDisabledAccount", { name })),
                }, member.disabled ? t("staffEnable") : t("staffDisable")),
            isMe
                ? null
                : h("button", {
                    type: "button", class: "button-small button-danger", "aria-label": t("staffDeleteAccountOf", { name }),
                    onclick: () => {
                        if (confirm(t("staffConfirmDeleteAccount", { name }))) {
                            act(() => del(`/api/staff/${encodeURIComponent(member.id)}`), t("staffDeletedAccount", { name }));
                        }
                    },
                }, t("staffDelete"))));
}

async function load() {
    const staff = await get("/api/staff");
    document.getElementById("staff-body").replaceChildren(...staff.map(row));
    document.getElementById("staff-table").hidden = false;
}

form.addEventListener("submit", async (event) => {
    event.preventDefault();
    announce(pageStatus, "");
    await submitting(form, async () => {
        const created = await post("/api/staff", {
            email: text(form, "email"),
            displayName: text(form, "displayName"),
            password: form.elements.password.value,
            role: form.elements.role.value,
        });
        form.reset();
        await load();
        announce(pageStatus, t(created.roles.includes("Admin") ? "staffAddedAdmin" : "staffAddedEditor", { email: created.email }));
    });
});

profileForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    announce(pageStatus, "");
    await submitting(profileForm, async () => {
        const updated = await put("/api/account/me", { displayName: text(profileForm, "displayName") });
        announce(pageStatus, t("staffPublicNameNow", { name: updated.displayName }));
        if (me.isAdmin) {
            await load();
        }
    });
});

try {
    me = await requireStaff();
    profileForm.elements.displayName.value = me.displayName;
    profileForm.hidden = false;
    if (me.isAdmin) {
        document.getElementById("admin-area").hidden = false;
        await load();
    } else {
        document.getElementById("not-admin").hidden = false;
    }
} catch (error) {
    announce(pageStatus, describeFailure(error), { error: true });
} finally {
    document.getElementById("loading").hidden = true;
}
