/* Canned responses in the desk's composer (docs/canned-responses.md).
 *
 * `/` at the start of the text or after a space, then a few letters, opens
 * the list filtered by shortcut, title or text; ↑/↓ choose, Enter or Tab
 * inserts, Escape closes. The "Canned responses" button opens the same list
 * to browse, with a search box. The server fills the placeholders for the
 * open conversation (the `canned` command answers `canned.list`), so what is
 * inserted is what the customer will read.
 */
import { el } from "../lib/dom.js";
import { gettext, fmt } from "../lib/i18n.js";
import { desk } from "./desk.js";
import { keys } from "./keys.js";


var body = document.getElementById("reply-body");
var menu = document.getElementById("canned-menu");
var list = document.getElementById("canned-list");
var search = document.getElementById("canned-search");
var empty = document.getElementById("canned-empty");
var button = document.getElementById("canned-button");
var composer = document.getElementById("composer");

var canned = { interactionId: null, responses: [], loaded: false };
// mode: "slash" (typed in the text: `start` is where the "/" is) or "browse" (the button).
var open = { mode: null, start: 0, matches: [], active: 0 };

desk.on("conversation", function (data) {
  // The same conversation shown again (a resync, the list clicked on a phone) keeps what the
  // agent is typing, and an open list stays open: only another conversation closes it.
  if (data.interaction.id !== canned.interactionId) {
    canned.interactionId = data.interaction.id;
    canned.loaded = false;
    canned.responses = [];
    close();
  }
  desk.send({ type: "canned", interaction_id: data.interaction.id });
});
desk.on("canned.list", function (data) {
  if (data.interaction_id !== canned.interactionId) return;
  canned.responses = data.responses || [];
  canned.loaded = true;
  if (open.mode) render(currentQuery());
});

function currentQuery() {
  if (open.mode === "browse") return search.value;
  var found = slashBeforeCaret();
  return found ? found.query : "";
}

// "/ret" just before the caret, at the start or after white space.
function slashBeforeCaret() {
  var before = body.value.slice(0, body.selectionStart);
  var match = before.match(/(^|\s)\/([^\s/]*)$/);
  if (!match) return null;
  return { start: before.length - match[2].length - 1, query: match[2] };
}

function rank(item, query) {
  if (!query) return 0;
  var shortcut = item.shortcut.toLowerCase();
  if (shortcut.indexOf(query) === 0) return 0;
  if (shortcut.indexOf(query) > 0) return 1;
  if ((item.title || "").toLowerCase().indexOf(query) >= 0) return 2;
  if ((item.text || item.body || "").toLowerCase().indexOf(query) >= 0) return 3;
  return -1;
}

function render(rawQuery) {
  var query = (rawQuery || "").trim().toLowerCase();
  open.matches = canned.responses
    .map(function (item, index) { return { item: item, rank: rank(item, query), index: index }; })
    .filter(function (entry) { return entry.rank >= 0; })
    .sort(function (a, b) { return a.rank - b.rank || a.index - b.index; })
    .map(function (entry) { return entry.item; });
  if (open.active >= open.matches.length) open.active = 0;
  list.textContent = "";
  open.matches.forEach(function (item, index) {
    var li = el("li", { role: "option", id: "canned-option-" + item.id, "data-shortcut": item.shortcut, "aria-selected": index === open.active ? "true" : "false" });
    if (index === open.active) li.classList.add("active");
    var head = el("div", { class: "canned-head" });
    head.appendChild(el("code", null, "/" + item.shortcut));
    if (item.title) head.appendChild(el("strong", null, item.title));
    head.appendChild(el("span", { class: "canned-kind" }, item.shared ? gettext("shared") : gettext("mine")));
    li.appendChild(head);
    li.appendChild(el("div", { class: "canned-preview" }, item.text));
    // mousedown, not click: the text box keeps its focus and caret.
    li.addEventListener("mousedown", function (e) { e.preventDefault(); insert(item); });
    list.appendChild(li);
  });
  if (open.matches.length) {
    body.setAttribute("aria-activedescendant", "canned-option-" + open.matches[open.active].id);
    var active = list.children[open.active];
    if (active && active.scrollIntoView) active.scrollIntoView({ block: "nearest" });
  } else {
    body.removeAttribute("aria-activedescendant");
  }
  empty.hidden = open.matches.length > 0;
  if (!canned.loaded) empty.textContent = gettext("Loading canned responses…");
  else if (!canned.responses.length) empty.textContent = gettext("No canned responses yet: add your own under “My canned responses”.");
  else empty.textContent = fmt(gettext("No canned response matches “%(query)s”."), { query: rawQuery });
}

function show(mode) {
  open.mode = mode;
  open.active = 0;
  menu.hidden = false;
  menu.dataset.mode = mode;
  keys.opened("canned");
  search.hidden = mode !== "browse";
  button.setAttribute("aria-expanded", "true");
  body.setAttribute("aria-controls", "canned-menu");
  render(currentQuery());
}

function close() {
  open.mode = null;
  menu.hidden = true;
  button.setAttribute("aria-expanded", "false");
  body.removeAttribute("aria-activedescendant");
}

function insert(item) {
  var text = item.text;
  var value = body.value;
  var start;
  var end;
  if (open.mode === "slash") {
    var found = slashBeforeCaret();
    start = found ? found.start : body.selectionStart;
    end = body.selectionStart;
  } else {
    start = body.selectionStart;
    end = body.selectionEnd;
  }
  body.value = value.slice(0, start) + text + value.slice(end);
  var caret = start + text.length;
  close();
  body.focus();
  body.setSelectionRange(caret, caret);
}

function move(step) {
  if (!open.matches.length) return;
  open.active = (open.active + step + open.matches.length) % open.matches.length;
  render(currentQuery());
}

// The keys while the list is open: the first layer of the desk's keyboard (desk-keys.js),
// before send and new line (Enter inserts, never sends).
function key(e) {
  if (e.key === "ArrowDown") move(1);
  else if (e.key === "ArrowUp") move(-1);
  else if ((e.key === "Enter" || e.key === "Tab") && !e.shiftKey && !e.ctrlKey && !e.metaKey && !e.altKey) {
    if (open.matches.length) insert(open.matches[open.active]);
    else if (e.key === "Enter") close();
    else return false;
  } else if (e.key === "Escape") {
    var wasBrowsing = open.mode === "browse";
    close();
    if (wasBrowsing) body.focus();
  } else return false;
  return true;
}
keys.menu({
  name: "canned",
  isOpen: function () { return !!open.mode; },
  owns: function (target) { return target === search; },
  key: key,
  close: close,
  help: { id: "canned-slash", keys: [["/"]], label: gettext("At the start or after a space: canned responses") },
});

body.addEventListener("input", function () {
  if (open.mode === "browse") return;
  if (slashBeforeCaret()) {
    if (open.mode !== "slash") show("slash");
    else { open.active = 0; render(currentQuery()); }
  } else if (open.mode === "slash") {
    close();
  }
});
body.addEventListener("click", function () { if (open.mode === "slash" && !slashBeforeCaret()) close(); });
body.addEventListener("blur", function () { if (open.mode === "slash") setTimeout(function () { if (document.activeElement !== body) close(); }, 150); });
search.addEventListener("input", function () { open.active = 0; render(search.value); });
button.addEventListener("click", function () {
  if (open.mode === "browse") { close(); return; }
  search.value = "";
  show("browse");
  search.focus();
});
document.addEventListener("mousedown", function (e) {
  if (open.mode && !menu.contains(e.target) && e.target !== button && e.target !== body) close();
});

// For tests and the curious.
desk.canned = canned;
