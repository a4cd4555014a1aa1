// The text the scripts show, in the page's language: every page carries it as a JSON block
// (<script type="application/json" id="livehub-strings">, from Localisation/ScriptStrings.cs on the server).
// Scripts never hold English of their own: they name a key, and {name} placeholders are filled in here.

const block = document.getElementById("livehub-strings");
const strings = block ? JSON.parse(block.textContent) : {};

/** The page's language for Intl formatting: "cy" or "en-GB". */
export const locale = document.documentElement.lang || "en-GB";

/** The text for a key with its {placeholders} filled in; the key itself if the page has no such text. */
export function t(key, values = {}) {
    const template = strings[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}
