// node --test tests/js/ — the desk's one keydown dispatcher (static/js/desk/keys.js), without a browser.
import test from "node:test";
import assert from "node:assert";
import * as Keys from "../../static/js/desk/keys.js";

const box = { tagName: "TEXTAREA", id: "reply-body" };
const search = { tagName: "INPUT", id: "canned-search" };
const page = { tagName: "H2" };

function fakeDocument() {
  return { dialogOpen: false, querySelector() { return this.dialogOpen ? {} : null; }, getElementById() { return null; } };
}
function key(target, name, mods = {}) {
  return {
    target, key: name, code: mods.code || "", shiftKey: !!mods.shift, ctrlKey: !!mods.ctrl, metaKey: !!mods.meta,
    altKey: !!mods.alt, isComposing: !!mods.composing, defaultPrevented: false,
    preventDefault() { this.defaultPrevented = true; },
  };
}
// A desk as the modules wire it: the canned and mention menus, the reply box, two shortcuts.
function desk({ enterSends = true } = {}) {
  const doc = fakeDocument();
  const k = Keys.create(doc);
  const log = [];
  const menus = {};
  for (const name of ["canned", "mention"]) {
    const m = { open: false };
    menus[name] = m;
    k.menu({
      name,
      isOpen: () => m.open,
      close: () => { m.open = false; log.push(`${name}:closed`); },
      owns: (t) => name === "canned" && t === search,
      key: (e) => {
        if (["ArrowDown", "ArrowUp", "Enter", "Tab", "Escape"].includes(e.key) && !e.shiftKey) {
          log.push(`${name}:${e.key}`);
          return true;
        }
        return false;
      },
    });
  }
  const prefs = { enterSends };
  k.composer({ field: () => box, enterSends: () => prefs.enterSends, submit: () => log.push("submit") });
  k.shortcut({ id: "next", keys: [["Alt", "↓"]], label: "Next", inField: true,
    match: (e) => e.altKey && e.key === "ArrowDown", run: () => log.push("next") });
  k.shortcut({ id: "help", keys: [["?"]], label: "This list", inField: false,
    match: (e) => e.key === "?" && !e.altKey, run: () => log.push("help") });
  return { k, doc, log, menus, prefs };
}

test("Enter sends when the preference says so, and is taken from the browser", () => {
  const { k, log } = desk();
  const e = key(box, "Enter");
  k.dispatch(e);
  assert.deepStrictEqual(log, ["submit"]);
  assert.strictEqual(e.defaultPrevented, true);
});

test("Shift+Enter is a new line: nothing sends and the browser writes the line", () => {
  const { k, log } = desk();
  const e = key(box, "Enter", { shift: true });
  k.dispatch(e);
  assert.deepStrictEqual(log, []);
  assert.strictEqual(e.defaultPrevented, false);
});

test("with Enter not sending, Enter is a new line and Ctrl+Enter still sends", () => {
  const { k, log } = desk({ enterSends: false });
  const plain = key(box, "Enter");
  k.dispatch(plain);
  assert.deepStrictEqual(log, []);
  assert.strictEqual(plain.defaultPrevented, false);
  k.dispatch(key(box, "Enter", { ctrl: true }));
  k.dispatch(key(box, "Enter", { meta: true }));
  assert.deepStrictEqual(log, ["submit", "submit"]);
});

test("an open menu takes Enter first: it inserts, never sends", () => {
  const { k, log, menus } = desk();
  menus.canned.open = true;
  k.dispatch(key(box, "ArrowDown"));
  k.dispatch(key(box, "Enter"));
  assert.deepStrictEqual(log, ["canned:ArrowDown", "canned:Enter"]);
  menus.canned.open = false;
  menus.mention.open = true;
  k.dispatch(key(box, "Tab"));
  assert.deepStrictEqual(log.slice(2), ["mention:Tab"]);
});

test("a key the open menu does not take goes on: Shift+Enter is still a new line", () => {
  const { k, log, menus } = desk();
  menus.mention.open = true;
  const e = key(box, "Enter", { shift: true });
  k.dispatch(e);
  assert.deepStrictEqual(log, []);
  assert.strictEqual(e.defaultPrevented, false);
});

test("the canned menu's own search box is its field too; other fields are not", () => {
  const { k, log, menus } = desk();
  menus.canned.open = true;
  k.dispatch(key(search, "Enter"));
  k.dispatch(key({ tagName: "INPUT" }, "Enter"));
  assert.deepStrictEqual(log, ["canned:Enter"]);
});

test("one menu opening closes the other: the keys have one owner", () => {
  const { k, log, menus } = desk();
  menus.canned.open = true;
  menus.mention.open = true;
  k.opened("mention");
  assert.deepStrictEqual(log, ["canned:closed"]);
  assert.strictEqual(menus.mention.open, true);
});

test("an input method composing keeps every key", () => {
  const { k, log, menus } = desk();
  menus.canned.open = true;
  k.dispatch(key(box, "Enter", { composing: true }));
  assert.deepStrictEqual(log, []);
});

test("shortcuts: with a modifier also in a field, ? only outside one, none behind a dialog", () => {
  const { k, log, doc } = desk();
  k.dispatch(key(box, "ArrowDown", { alt: true }));
  k.dispatch(key(box, "?"));
  k.dispatch(key(page, "?"));
  assert.deepStrictEqual(log, ["next", "help"]);
  doc.dialogOpen = true;
  k.dispatch(key(page, "?"));
  k.dispatch(key(page, "ArrowDown", { alt: true }));
  assert.deepStrictEqual(log, ["next", "help"]);
});

test("the overlay lists the reply box as the preference sets it, the menus and every shortcut", () => {
  const { k, prefs } = desk();
  let ids = k.rows().map((r) => r.id);
  assert.deepStrictEqual(ids, ["send", "newline", "send-always", "menu", "next", "help"]);
  prefs.enterSends = false;
  ids = k.rows().map((r) => r.id);
  assert.deepStrictEqual(ids, ["newline", "send-always", "menu", "next", "help"]);
});
