/* The supervisor view: watch one conversation live, take it over, and each agent's figures for today.
 *
 * Rides on the board's socket (supervisor/board.js). Watching sends the
 * `watch` command: the server adds this tab to the conversation's watchers,
 * and nothing the agent sees changes (no read marker, no unread count).
 */
import { $, el } from "../lib/dom.js";
import { gettext, interpolate } from "../lib/i18n.js";
import { clock, duration, stateName, presenceName } from "../lib/format.js";
import { supervisor } from "./board.js";

var sup = supervisor;
var TIME = clock({ hour: "2-digit", minute: "2-digit", second: "2-digit" });
var myAgentId = null;
var watching = null;
var shown = {};
var senders = {};  // sender id → name, from the conversation (pushes carry only the id)
var watchedAgent = "";

function transcriptUrl(id) { return $("watch-urls").dataset.transcript.replace(/0\/$/, id + "/"); }

// --- the tables: a Watch button per open conversation, today's figures per agent -------------

function augment(snapshot) {
  var byId = {};
  snapshot.agents.forEach(function (a) { byId[a.id] = a; });
  document.querySelectorAll("#agents tbody tr").forEach(function (tr) {
    var a = byId[tr.dataset.agent];
    if (!a) return;
    var today = el("td", { class: "today" });
    var parts = [];
    ["online", "away", "offline"].forEach(function (p) {
      var s = (a.presence_seconds_today || {})[p] || 0;
      if (s) parts.push(presenceName(p) + " " + duration(s, false));
    });
    today.textContent = parts.length ? parts.join(" · ") : "—";
    tr.appendChild(today);
    var fr = a.first_responses_today || {};
    var cell = el("td", { class: "today first-response" });
    cell.textContent = fr.count ? interpolate(gettext("%(median)s (%(count)s today)"), { median: duration(fr.median_seconds, false), count: fr.count }, true) : "—";
    tr.appendChild(cell);
  });
  // In the contact's cell, so it is in view on a phone too (the table scrolls sideways).
  document.querySelectorAll("#open tbody tr").forEach(function (tr) {
    var id = Number(tr.dataset.interaction);
    var cell = tr.children[1];
    if (!cell) return;
    var button = el("button", { type: "button", class: "watch-button", "data-watch": id }, watching === id ? gettext("Watching") : gettext("Watch"));
    button.addEventListener("click", function () { watch(id); });
    cell.appendChild(document.createElement("br"));
    cell.appendChild(button);
  });
}

// --- the panel -------------------------------------------------------------------------------

function watch(id) {
  watching = id;
  shown = {};
  sup.send({ type: "watch", interaction_id: id });
}
function stop() {
  sup.send({ type: "unwatch" });
  watching = null;
  $("watch").hidden = true;
  document.querySelectorAll(".watch-button").forEach(function (b) { b.textContent = gettext("Watch"); });
}
function messageItem(m) {
  var li = el("li", { class: "msg " + (m.direction === "in" ? "in" : "out"), "data-message": m.id });
  var meta = el("div", { class: "meta" });
  var who = m.direction === "in" ? gettext("Customer") : (m.sender_name || (m.sender_id ? senders[m.sender_id] || watchedAgent || gettext("Agent") : gettext("Automatic")));
  meta.appendChild(el("span", { class: "who" }, who));
  meta.appendChild(el("time", { datetime: m.created_at }, TIME.format(new Date(m.created_at))));
  li.appendChild(meta);
  if (m.body) li.appendChild(el("p", { class: "body" }, m.body));
  (m.attachments || []).forEach(function (a) {
    li.appendChild(el("a", { class: "attachment", href: "/desk/media/" + m.id + "/" + a.index + "/?download=1" }, a.name || gettext("Attachment")));
  });
  return li;
}
function addMessage(m) {
  if (shown[m.id]) return;
  shown[m.id] = true;
  var list = $("watch-messages");
  var atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.appendChild(messageItem(m));
  if (atBottom) list.scrollTop = list.scrollHeight;
}
function showConversation(event) {
  var i = event.interaction;
  if (i.id !== watching) return;
  $("watch").hidden = false;
  $("watch-title").textContent = interpolate(gettext("Watching #%(id)s · %(contact)s"), { id: i.id, contact: (i.contact.name ? i.contact.name + " " : "") + i.contact.address }, true);
  $("watch-meta").textContent = i.service.name + " · " + stateName(i.state) + " · " + (event.agent_name || gettext("nobody (queued)"));
  $("watch-transcript").href = transcriptUrl(i.id);
  var take = $("watch-take-over");
  take.hidden = !(i.state === "assigned" || i.state === "queued") || (myAgentId !== null && i.agent_id === myAgentId);
  take.title = myAgentId === null ? gettext("You need an agent profile of your own to take conversations over.") : "";
  var list = $("watch-messages");
  list.textContent = "";
  shown = {};
  watchedAgent = event.agent_name || "";
  event.history.forEach(function (h) {
    h.messages.forEach(function (m) { if (m.sender_id && m.sender_name) senders[m.sender_id] = m.sender_name; });
  });
  event.history.forEach(function (h) {
    if (h.interaction.id !== i.id) return;
    h.messages.forEach(addMessage);
  });
  list.scrollTop = list.scrollHeight;
  document.querySelectorAll(".watch-button").forEach(function (b) {
    b.textContent = Number(b.dataset.watch) === watching ? gettext("Watching") : gettext("Watch");
  });
}

sup.on(function (event) {
  if (event.type === "hello") {
    myAgentId = event.agent_id;
    if (watching) sup.send({ type: "watch", interaction_id: watching });  // after a reconnect
  } else if (event.type === "supervisor") {
    augment(event);
  } else if (event.type === "watch.conversation") {
    showConversation(event);
  } else if ((event.type === "message.created" || event.type === "message.status") && event.interaction_id === watching) {
    if (event.type === "message.created") addMessage(event.message);
  } else if (/^interaction\./.test(event.type) && event.interaction && event.interaction.id === watching) {
    sup.send({ type: "watch", interaction_id: watching });  // its state or agent changed
  } else if (event.type === "take_over.ok") {
    sup.send({ type: "supervisor" });
  }
});
$("watch-stop").addEventListener("click", stop);
$("watch-take-over").addEventListener("click", function () {
  if (watching) sup.send({ type: "take_over", interaction_id: watching });
});
