/* Presence from the desk: what happens to held conversations when going away or offline,
 * and the optional automatic "away" after minutes without activity (OCC_AUTO_AWAY_MINUTES).
 */
import { $, openDialog, closeDialog } from "../lib/dom.js";
import { gettext, ngettext, fmt } from "../lib/i18n.js";

var hooks = null; // {send(command), held(), presence(), flash(text)}
var pending = null;
var ACTIVITY_KEY = "occ.desk.activity";


function set(presence, release) {
  hooks.send({ type: "presence", presence: presence, release: !!release });
}

// A presence button: away or offline with conversations held asks first.
export function choose(presence) {
  var held = hooks.held();
  if (presence === "online" || !held) { set(presence, false); return; }
  pending = presence;
  var dialog = $("presence-dialog");
  $("presence-dialog-title").textContent = presence === "away" ? gettext("Go away?") : gettext("Go offline?");
  $("presence-dialog-text").textContent = fmt(ngettext(
    "You hold %(count)s conversation. Keep it (the customer waits for you), or return it to the queue now for a colleague?",
    "You hold %(count)s conversations. Keep them (the customers wait for you), or return them to the queue now for your colleagues?",
    held), { count: held });
  dialog.dataset.presence = presence;
  openDialog(dialog);
  $("presence-keep").focus();
}

function finish(release) {
  var dialog = $("presence-dialog");
  if (pending && release !== null) set(pending, release);
  pending = null;
  closeDialog(dialog);
}

// --- automatic away -------------------------------------------------------------
var lastWrite = 0;
export function activity() {
  var now = Date.now();
  if (now - lastWrite < 5000) return;
  lastWrite = now;
  // Shared by the agent's tabs: activity in any of them counts.
  try { localStorage.setItem(ACTIVITY_KEY, String(now)); } catch (err) { /* storage off */ }
}
function lastActivity() {
  var stored = 0;
  try { stored = parseInt(localStorage.getItem(ACTIVITY_KEY) || "0", 10) || 0; } catch (err) { /* storage off */ }
  return Math.max(stored, lastWrite);
}
function watchIdle(minutes) {
  if (!minutes) return;
  ["keydown", "pointerdown", "pointermove", "touchstart", "wheel", "focus"].forEach(function (name) {
    window.addEventListener(name, activity, { passive: true, capture: true });
  });
  activity();
  setInterval(function () {
    if (hooks.presence() !== "online") return;
    if (Date.now() - lastActivity() < minutes * 60000) return;
    set("away", false);
    hooks.flash(fmt(ngettext("You were set away after %(minutes)s minute without activity.",
      "You were set away after %(minutes)s minutes without activity.", minutes), { minutes: minutes }));
  }, 15000);
}

export function init(desk, config) {
  hooks = desk;
  $("presence-keep").addEventListener("click", function () { finish(false); });
  $("presence-release").addEventListener("click", function () { finish(true); });
  $("presence-cancel").addEventListener("click", function () { finish(null); });
  $("presence-dialog").addEventListener("cancel", function () { pending = null; });
  watchIdle(config.auto_away_minutes || 0);
}

