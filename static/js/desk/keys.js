/* The desk's keyboard: one keydown dispatcher for the reply box and the desk's shortcuts.
 *
 * Every key pressed in the desk passes here once (a single capturing listener on the
 * document), and goes to the first layer that takes it:
 *
 *   1. an open menu of the reply box (canned responses after `/`, colleagues after `@`
 *      in a note): ↑ ↓ choose, Enter or Tab inserts, Esc closes. Only one menu is open
 *      at a time, and while it is, Enter never sends;
 *   2. the reply box: Enter sends when the agent's preference says so (otherwise a new
 *      line), Shift+Enter is always a new line, Ctrl+Enter (⌘+Enter) always sends;
 *   3. the desk's shortcuts (Alt+↓/↑, Alt+W, Alt+T, Alt+/, ?), not while a dialog is open.
 *
 * The modules register with it (desk/canned.js and desk/notes.js their menus,
 * desk/compose.js the reply box and the shortcuts), and the help overlay (?) is drawn
 * from what is registered, so it lists exactly the keys that work.
 */
import { gettext } from "../lib/i18n.js";

export function inField(target) {
  return !!target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}
// Taken: the browser does not act on it (other listeners still see the key, e.g. for activity).
function take(e) { e.preventDefault(); }

// One keyboard: `doc` is the page's document (a stand-in in the unit tests).
export function create(doc) {
  var menus = []; // {name, isOpen(), key(e) -> true when taken, close(), owns(target), help}
  var shortcuts = []; // {id, keys: [[cap, …], …], label, match(e), run(e), inField}
  var reply = null; // {field(), enterSends(), submit()}
  function $(id) { return doc.getElementById(id); }

  // --- registration ----------------------------------------------------------------------
  function menu(spec) { menus.push(spec); }
  // A menu that opens closes any other: the keys have one owner.
  function opened(name) {
    menus.forEach(function (m) { if (m.name !== name && m.isOpen()) m.close(); });
  }
  function openMenu() {
    for (var i = 0; i < menus.length; i++) if (menus[i].isOpen()) return menus[i];
    return null;
  }
  function shortcut(spec) { shortcuts.push(spec); }
  function composer(spec) { reply = spec; }

  // --- the dispatcher ------------------------------------------------------------------------
  function onKeydown(e) {
    if (e.defaultPrevented || e.isComposing || e.keyCode === 229) return; // an input method is composing
    var target = e.target;
    var field = reply ? reply.field() : null;
    // 1. An open menu takes its keys, from the reply box or from its own search box.
    var open = openMenu();
    if (open && (target === field || (open.owns && open.owns(target)))) {
      if (open.key(e)) { take(e); return; }
    }
    // 2. Send or a new line.
    if (field && target === field && e.key === "Enter") {
      if (e.ctrlKey || e.metaKey) { take(e); reply.submit(); return; }
      if (e.shiftKey || e.altKey) return; // a new line, as the browser writes it
      if (reply.enterSends()) { take(e); reply.submit(); }
      return;
    }
    // 3. The desk's shortcuts: never behind a dialog, and in a field only those with a modifier.
    if (doc.querySelector("dialog[open]")) return;
    for (var i = 0; i < shortcuts.length; i++) {
      var s = shortcuts[i];
      if (inField(target) && !s.inField) continue;
      if (s.match(e)) { take(e); s.run(e); return; }
    }
  }

  // --- the help overlay ------------------------------------------------------------------------
  function caps(combo) {
    var names = { Enter: gettext("Enter"), Shift: gettext("Shift"), Ctrl: gettext("Ctrl"), Esc: gettext("Esc") };
    var cell = doc.createElement("td");
    combo.forEach(function (keys, n) {
      if (n) cell.appendChild(doc.createTextNode("\u00a0/\u00a0")); // alternatives on one line
      keys.forEach(function (key, k) {
        if (k) cell.appendChild(doc.createTextNode("+"));
        var kbd = doc.createElement("kbd");
        kbd.textContent = names[key] || key;
        cell.appendChild(kbd);
      });
    });
    return cell;
  }
  // What works now: the reply box as the agent's preference sets it, the menus, the shortcuts.
  function rows() {
    var list = [];
    if (reply) {
      if (reply.enterSends()) {
        list.push({ id: "send", keys: [["Enter"]], label: gettext("Send the reply") });
        list.push({ id: "newline", keys: [["Shift", "Enter"]], label: gettext("A new line") });
      } else {
        list.push({ id: "newline", keys: [["Enter"], ["Shift", "Enter"]], label: gettext("A new line") });
      }
      list.push({ id: "send-always", keys: [["Ctrl", "Enter"]], label: gettext("Send the reply, always") });
    }
    menus.forEach(function (m) { if (m.help) list.push(m.help); });
    if (menus.length) list.push({ id: "menu", keys: [["↑"], ["↓"]], label: gettext("In a list: choose; Enter or Tab inserts, Esc closes") });
    shortcuts.forEach(function (s) { if (s.label) list.push(s); });
    return list;
  }
  function renderHelp() {
    var table = $("shortcuts-list");
    if (!table) return;
    table.textContent = "";
    rows().forEach(function (row) {
      var tr = doc.createElement("tr");
      if (row.id) tr.dataset.shortcut = row.id;
      tr.appendChild(caps(row.keys));
      var what = doc.createElement("td");
      what.textContent = row.label;
      tr.appendChild(what);
      table.appendChild(tr);
    });
  }
  function help() {
    var dialog = $("shortcuts-dialog");
    if (!dialog || dialog.open) return;
    renderHelp();
    dialog.showModal();
  }

  return {
    menu: menu, opened: opened, shortcut: shortcut, composer: composer,
    dispatch: onKeydown, help: help, rows: rows,
  };
}

// The page's one keyboard, listening on the document (none under node: the tests make their own).
export const keys = typeof document !== "undefined" ? create(document) : null;
if (keys) document.addEventListener("keydown", keys.dispatch, true);
