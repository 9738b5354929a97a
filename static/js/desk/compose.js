/* The composer's ergonomics: Enter to send (Shift+Enter for a new line, an agent preference),
 * keyboard shortcuts with a help overlay (?) — both registered with the desk's one keydown
 * dispatcher (desk/keys.js) —, paste and drag-and-drop to attach, refusals
 * in plain words, and WhatsApp's "typing…" to the customer (OCC_TYPING_INDICATOR).
 */
import { $ } from "../lib/dom.js";
import { gettext, fmt } from "../lib/i18n.js";
import { newestId, stepIndex } from "./state.js";
import { keys } from "./keys.js";

var hooks = null; // {prefs(), conversation(), send(command), flash(text)}
var config = {};
var typingSent = new Map(); // interaction id -> {message: newest inbound id, at: ms}
var MB = 1024 * 1024;
// What WhatsApp takes (agents/file_safety.py decides for good, from the bytes).
var KINDS = {
  jpg: 5, jpeg: 5, png: 5, ogg: 16, opus: 16, amr: 16, aac: 16, mp3: 16, mp4: 16, "3gp": 16,
  pdf: 16, doc: 16, docx: 16, xlsx: 16, pptx: 16, vcf: 16, txt: 16,
};

// A private note (when the composer writes one) never tells the customer anything.
function writingNote() { return $("composer").dataset.mode === "note"; }

// --- "typing…" for the customer's latest message ------------------------------------
export function typing(reason) {
  var conv = hooks.conversation();
  if (!conv || config.typing_indicator === "off" || writingNote()) return;
  if (reason === "opening" && config.typing_indicator !== "opening") return;
  if (reason === "typing" && config.typing_indicator !== "typing") return;
  var newest = newestId(conv.messages, "in");
  if (!newest || $("composer").dataset.window !== "open") return;
  var id = conv.interaction.id;
  var last = typingSent.get(id);
  var now = Date.now();
  // At most once per customer message and per 20 s (the server holds the same rule for every tab).
  if (last && (last.message >= newest || now - last.at < 20000)) return;
  if (hooks.send({ type: "typing", interaction_id: id })) typingSent.set(id, { message: newest, at: now });
}

// --- Enter: the reply box's layer of the keyboard (desk/keys.js) --------------------
// The model's default until the snapshot brings the agent's own preference: Enter sends.
function enterSends() { return hooks.prefs().enter_sends !== false; }
function submit() {
  var form = $("composer");
  if (form.requestSubmit) form.requestSubmit(); else form.dispatchEvent(new Event("submit", { cancelable: true }));
}

// --- attaching by paste or drop --------------------------------------------------------------
export function refusal(file) {
  var ext = (file.name.split(".").pop() || "").toLowerCase();
  if (file.name.indexOf(".") < 0 || !KINDS[ext]) {
    return fmt(gettext("“%(name)s” cannot be sent: WhatsApp takes pictures (JPG, PNG), recordings, MP4 videos, PDF and Office documents, contact cards and text files."), { name: file.name });
  }
  if (file.size > KINDS[ext] * MB) {
    return fmt(gettext("“%(name)s” is %(size)s MB: WhatsApp takes at most %(limit)s MB for this kind of file."), { name: file.name, size: (file.size / MB).toFixed(1), limit: KINDS[ext] });
  }
  if (!file.size) return fmt(gettext("“%(name)s” is empty."), { name: file.name });
  return "";
}
export function attach(file) {
  if (!file) return;
  if ($("composer").dataset.window !== "open") { hooks.flash(gettext("Files can be sent only while the customer's 24-hour window is open.")); return; }
  // A pasted picture has no name of its own.
  if (!file.name || file.name === "image.png") {
    file = new File([file], gettext("pasted-picture") + "." + ((file.type.split("/")[1] || "png").replace("jpeg", "jpg")), { type: file.type });
  }
  var why = refusal(file);
  if (why) { $("composer-error").textContent = why; hooks.flash(why); return; }
  $("composer-error").textContent = "";
  var input = $("reply-file");
  var list = new DataTransfer();
  list.items.add(file);
  input.files = list.files;
  $("attachment-name").textContent = fmt(gettext("Attaching %(name)s…"), { name: file.name });
  input.dispatchEvent(new Event("change", { bubbles: true }));
}
function firstFile(data) {
  if (!data) return null;
  if (data.files && data.files.length) return data.files[0];
  for (var i = 0; data.items && i < data.items.length; i++) {
    if (data.items[i].kind === "file") return data.items[i].getAsFile();
  }
  return null;
}

// --- shortcuts and their overlay ----------------------------------------------------------------
function move(step) {
  var items = Array.prototype.slice.call(document.querySelectorAll("#interaction-list li"));
  if (!items.length) return;
  var at = items.findIndex(function (li) { return li.classList.contains("selected"); });
  items[stepIndex(at, step, items.length)].click();
}
// Alt+letter by the key's place too: on some layouts Alt+W or Alt+/ types another character.
function alt(key, code) {
  return function (e) {
    return e.altKey && !e.ctrlKey && !e.metaKey && (e.key.toLowerCase() === key || (code && e.code === code));
  };
}
// A shortcut does what its button does, and only when the button is there to press.
function press(id) {
  return function () {
    var button = $(id);
    if (hooks.conversation() && button && !button.disabled && button.getClientRects().length) button.click();
  };
}
function registerKeys() {
    keys.composer({ field: function () { return $("reply-body"); }, enterSends: enterSends, submit: submit });
  keys.shortcut({ id: "next", keys: [["Alt", "↓"], ["Alt", "↑"]], label: gettext("Next / previous conversation"), inField: true,
    match: function (e) { return e.altKey && !e.ctrlKey && !e.metaKey && (e.key === "ArrowDown" || e.key === "ArrowUp"); },
    run: function (e) { move(e.key === "ArrowDown" ? 1 : -1); } });
  keys.shortcut({ id: "close", keys: [["Alt", "W"]], label: gettext("Close the conversation"), inField: true,
    match: alt("w", "KeyW"), run: press("close-button") });
  keys.shortcut({ id: "transfer", keys: [["Alt", "T"]], label: gettext("Transfer the conversation"), inField: true,
    match: alt("t", "KeyT"), run: press("transfer-button") });
  keys.shortcut({ id: "canned", keys: [["Alt", "/"]], label: gettext("Canned responses"), inField: true,
    match: alt("/", "Slash"), run: press("canned-button") });
  keys.shortcut({ id: "help", keys: [["?"]], label: gettext("This list"), inField: false,
    match: function (e) { return e.key === "?" && !e.ctrlKey && !e.metaKey && !e.altKey; },
    run: function () { keys.help(); } });
}

export function init(desk, deskConfig) {
  hooks = desk;
  config = deskConfig || {};
  var form = $("composer");
  registerKeys();
  $("reply-body").addEventListener("input", function () { if ($("reply-body").value.trim()) typing("typing"); });
  $("reply-body").addEventListener("paste", function (e) {
    var file = firstFile(e.clipboardData);
    if (file) { e.preventDefault(); attach(file); }
  });
  var zone = $("conversation");
  zone.addEventListener("dragover", function (e) {
    if (e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types || [], "Files") >= 0) { e.preventDefault(); form.classList.add("dragging"); }
  });
  zone.addEventListener("dragleave", function (e) { if (!zone.contains(e.relatedTarget)) form.classList.remove("dragging"); });
  zone.addEventListener("drop", function (e) {
    form.classList.remove("dragging");
    var file = firstFile(e.dataTransfer);
    if (file) { e.preventDefault(); attach(file); }
  });
  var close = $("shortcuts-close");
  if (close) close.addEventListener("click", function () { $("shortcuts-dialog").close(); });
  var open = $("shortcuts-open");
  if (open) open.addEventListener("click", function () { keys.help(); });
}

