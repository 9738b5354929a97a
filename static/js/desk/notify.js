/* Telling the agent: desktop notifications, a sound, and the agent's preferences for both.
 *
 * The browser's permission is asked only from a click in a small in-page prompt, shown
 * after the agent goes online (never on load). Preferences live on the server
 * (the `preferences` command), so every tab and every device of the agent agrees.
 */
import { $ } from "../lib/dom.js";
import { gettext } from "../lib/i18n.js";

const root = window;
var hooks = null; // {send(command), select(id), prefs()}
var audio = null;
var lastSound = 0;
var shown = new Map(); // interaction id -> Notification

function supported() { return "Notification" in root; }

// A short beep made on the spot: no sound file to download. At most one per 1.5 s.
function beep() {
  var now = Date.now();
  if (now - lastSound < 1500) return;
  lastSound = now;
  try {
    audio = audio || new (root.AudioContext || root.webkitAudioContext)();
    var osc = audio.createOscillator();
    var gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.25);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.25);
    root.occDeskSounds = (root.occDeskSounds || 0) + 1;
  } catch (err) { /* no audio available */ }
}

// kind: "conversation" (a new one reached the agent) or "message" (in one not in view).
export function alert(kind, item, message) {
  var prefs = hooks.prefs();
  if (prefs.notify_sound) beep();
  if (!prefs.notify_desktop || !supported() || root.Notification.permission !== "granted") return;
  // A new conversation shows in the page: the desktop is told only when the tab is not in front.
  if (kind === "conversation" && !document.hidden && document.hasFocus()) return;
  var who = item ? (item.contact.name || item.contact.address) : "";
  var title = kind === "conversation" ? gettext("New conversation") + (who ? ": " + who : "") : who || gettext("New message");
  var body = message ? (message.body || gettext("An attachment")) : (item && item.last_message && item.last_message.body) || "";
  try {
    var previous = item && shown.get(item.id);
    if (previous) previous.close();
    // One notification per conversation: a newer one replaces it (tag).
    var note = new root.Notification(title, { body: body.slice(0, 200), tag: item ? "occ-" + item.id : "occ", silent: true });
    if (item) shown.set(item.id, note);
    note.onclick = function () {
      root.focus();
      if (item) hooks.select(item.id);
      note.close();
    };
  } catch (err) { /* a browser that refuses notifications from a page */ }
}

// Read: the conversation's notification is no longer news.
export function read(interactionId) {
  var note = shown.get(interactionId);
  if (note) { note.close(); shown.delete(interactionId); }
}

// After the agent goes online: offer notifications once, from an in-page prompt.
export function offerPermission() {
  var prompt = $("notify-prompt");
  if (!prompt || !supported() || root.Notification.permission !== "default") return;
  if (!hooks.prefs().notify_desktop || sessionStorage.getItem("occ.notify.later") === "1") return;
  prompt.hidden = false;
}

// A change on its way to the server: the echo of an earlier one must not undo it (the
// agent unticks one box and ticks another before the first answer is back).
var inFlight = {}; // key -> the value this tab sent last, until the server says the same

// The preferences the server holds, with this tab's changes still on their way; `prefs` is
// the agent's own object (desk/desk.js keeps it), so the desk reads what the boxes show.
export function apply(prefs) {
  ["notify_desktop", "notify_sound", "enter_sends"].forEach(function (key) {
    if (key in inFlight) {
      if (prefs[key] === inFlight[key]) delete inFlight[key];
      else prefs[key] = inFlight[key];
    }
    var box = document.querySelector('#desk-preferences input[data-pref="' + key + '"]');
    if (box) box.checked = !!prefs[key];
  });
  var state = $("notify-permission");
  if (state) {
    var p = supported() ? root.Notification.permission : "unsupported";
    state.dataset.permission = p;
    state.textContent = p === "granted" ? "" : p === "denied" ? gettext("Blocked by the browser: allow notifications for this site in its settings.") : p === "unsupported" ? gettext("This browser cannot show notifications.") : "";
  }
}

export function init(desk) {
  hooks = desk;
  document.querySelectorAll("#desk-preferences input[data-pref]").forEach(function (box) {
    box.addEventListener("change", function () {
      var values = {};
      values[box.dataset.pref] = box.checked;
      if (hooks.send({ type: "preferences", preferences: values })) inFlight[box.dataset.pref] = box.checked;
      // In force at once in this tab (Enter sends or not from the next key).
      hooks.prefs()[box.dataset.pref] = box.checked;
      if (box.dataset.pref === "notify_desktop" && box.checked && supported() && root.Notification.permission === "default") {
        root.Notification.requestPermission().then(function () { apply(hooks.prefs()); });
      }
      if (box.dataset.pref === "notify_sound" && box.checked) { lastSound = 0; beep(); }
    });
  });
  var allow = $("notify-allow");
  if (allow) {
    allow.addEventListener("click", function () {
      $("notify-prompt").hidden = true;
      root.Notification.requestPermission().then(function () { apply(hooks.prefs()); });
    });
    $("notify-later").addEventListener("click", function () {
      $("notify-prompt").hidden = true;
      sessionStorage.setItem("occ.notify.later", "1");
    });
  }
}

