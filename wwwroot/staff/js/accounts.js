// Staff accounts: everyone sets their own public name; admins list, add, change role, disable, unlock, delete.
import { announce, del, describeFailure, formatLocal, get, h, post, put, requireStaff, submitting, text, upperFirst } from "./api.js";

const profileForm = document.getElementById("profile-form");

const form = document.getElementById("staff-form");
const pageStatus = document.getElementById("page-status");
const roles = ["Editor", "Admin"];
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
    const roleSelect = h("select", { id: `role-${member.id}`, "aria-label": `Role of ${name}` },
        ...roles.map((role) => h("option", { value: role, selected: member.roles.includes(role) }, role)));
    return h("tr", { id: `staff-${member.id}` },
        h("td", { "data-label": "Email" }, h("span", { class: "row-title" }, member.email, isMe ? " (you)" : "")),
        h("td", { "data-label": "Name" }, h("span", {}, member.displayName)),
        h("td", { "data-label": "Role" },
            h("span", { class: "inline-control" }, roleSelect,
                h("button", {
                    type: "button", class: "button-small button-secondary", "aria-label": `Change the role of ${name}`,
                    onclick: () => act(() => put(`/api/staff/${encodeURIComponent(member.id)}`, { role: roleSelect.value }), `${name} is now ${roleSelect.value === "Admin" ? "an admin" : "an editor"}.`),
                }, "Change"))),
        h("td", { "data-label": "Sign-in" },
            h("span", {},
                member.disabled ? h("span", { class: "badge badge-cancelled" }, "Disabled")
                    : member.lockedOut ? h("span", { class: "badge badge-cancelled" }, "Locked out") : "Allowed",
                h("br"),
                h("span", { class: "hint" }, member.lastSignInAt ? `Last signed in ${formatLocal(member.lastSignInAt)}` : "Never signed in"))),
        h("td", { class: "cell-actions" },
            member.lockedOut
                ? h("button", {
                    type: "button", class: "button-small", "aria-label": `Unlock ${name}`,
                    onclick: () => act(() => put(`/api/staff/${encodeURIComponent(member.id)}`, { unlock: true }), `Unlocked ${name}.`),
                }, "Unlock")
                : null,
            isMe
                ? null
                : h("button", {
                    type: "button", class: "button-small button-secondary", "aria-label": `${member.disabled ? "Enable" : "Disable"} the account of ${name}`,
                    onclick: () => act(() => put(`/api/staff/${encodeURIComponent(member.id)}`, { disabled: !member.disabled }),
                        member.disabled ? `Enabled the account of ${name}.` : `Disabled the account of ${name}: their sessions have ended.`),
                }, member.disabled ? "Enable" : "Disable"),
            isMe
                ? null
                : h("button", {
                    type: "button", class: "button-small button-danger", "aria-label": `Delete the account of ${name}`,
                    onclick: () => {
                        if (confirm(`Delete the staff account of ${name}? They will no longer be able to sign in.`)) {
                            act(() => del(`/api/staff/${encodeURIComponent(member.id)}`), `Deleted the account of ${name}.`);
                        }
                    },
                }, "Delete")));
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
        announce(pageStatus, `Added ${created.email} as ${created.roles.includes("Admin") ? "an admin" : "an editor"}.`);
    });
});

profileForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    announce(pageStatus, "");
    await submitting(profileForm, async () => {
        const updated = await put("/api/account/me", { displayName: text(profileForm, "displayName") });
        announce(pageStatus, `Your public name is now ${updated.displayName}.`);
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
