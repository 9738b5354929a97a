/* The agent desk's controller: live interactions over the WebSocket (protocol: docs/websocket-protocol.md).
 *
 * The server is the truth. After every (re)connect the desk asks for a
 * `sync` snapshot and replaces its state; pushes in between are applied only
 * when their interaction version is not older than what the desk holds, and
 * messages are kept by id, so nothing is missed or shown twice.
 */
import { $, el, csrfToken } from "../lib/dom.js";
import { gettext, fmt } from "../lib/i18n.js";
import { timeOf, ago, stateName } from "../lib/format.js";
import { openSocket, connectionText } from "../lib/socket.js";
import { describe as describeReason } from "../lib/reasons.js";
import {
  createUnread, unreadFromSnapshot, unreadOnMessage, unreadOnRead, unreadClear, unreadCount,
  isStale, removalIsStale, windowFrom, newestId,
} from "./state.js";
import { show as showTabBadge } from "./tab-badge.js";
import { renderMessage, previewText, contactLabel } from "./render-message.js";
import { templatesApi } from "./templates.js";
import * as notify from "./notify.js";
import * as presence from "./presence.js";
import * as compose from "./compose.js";
import * as rich from "./rich.js";

var config = JSON.parse(document.getElementById("desk-config").textContent);
var templates = JSON.parse(document.getElementById("desk-templates").textContent) || [];
templatesApi.set(templates);

var state = {
  agent: null,
  interactions: new Map(), // id -> summary (with version)
  gone: new Map(), // id -> version at which it left this desk (ignore older pushes)
  unread: createUnread(), // counts of inbound messages not yet read (desk/state.js)
  readSent: new Map(), // id -> newest message id this tab told the server it read
  previewsPending: false, // a snapshot asked for only to learn the newest messages
  selected: null,
  conversation: null, // {interaction, history, messages: Map}
  pendingUpload: null,
  early: new Map(), // message id -> message pushed for the conversation asked for, before its answer
  opening: null, // the conversation asked for (`open`) and not answered yet
  opensPending: 0,
  drafts: new Map(), // interaction id -> text written and not sent, while another is shown
  draftFor: null, // the conversation the reply box's text belongs to
  syncs: 0, // snapshots applied: one per (re)connection
};

// --- the socket ----------------------------------------------------------------
var socket = openSocket({
  path: config.ws,
  heartbeat: 25000,
  reloadOnFinal: true,
  onState: setConn,
  onOpen: function () { send({ type: "sync" }); },
  onEvent: function (event) { handle(event); },
});
function send(command) { return socket.send(command); }
function setConn(name) {
  var node = $("conn");
  node.dataset.state = name;
  node.textContent = connectionText(name);
  // Commands need the socket: the buttons wait for it instead of failing silently.
  ["send-button", "close-button", "transfer-button"].forEach(function (id) { $(id).disabled = name !== "connected"; });
}
// The desk's other modules (labels.js, canned.js, notes.js) plug in here:
// `on(name, fn)` for a named hook below ("event", "list-filter", "list-item", "history-part",
// "conversation-shown", "close-requested", "transfer-requested", "composer") or for an event
// type (run after the desk handled the event); `send` for commands; `interceptSubmit(e)`
// returning true takes the composer's submit. Tests (and the curious) can drop the socket
// to watch the desk resynchronise.
var hooks = {};
function runHooks(name) {
  var args = Array.prototype.slice.call(arguments, 1);
  return (hooks[name] || []).map(function (fn) { return fn.apply(null, args); });
}
export const desk = {
  drop: function () { socket.drop(); },
  state: state,
  send: function (command) { return send(command); },
  on: function (name, fn) { (hooks[name] = hooks[name] || []).push(fn); },
  refresh: function () { renderList(); },
  flash: function (text) { flash(text); },
  showError: function (text) { showError(text); },
  renderComposer: function () { renderComposer(); },
  // Open a conversation that is not in the agent's list (a note mentioned them): read-only.
  openConversation: function (id) {
    state.peek = state.interactions.has(id) ? null : id;
    select(id);
    showView("conversation");
  },
  interceptSubmit: null,
  open: function (id) { select(id); showView("conversation"); },
};

// --- events --------------------------------------------------------------------
function handle(event) {
  runHooks("event", event);
  dispatch(event);
  runHooks(event.type, event);
}
function dispatch(event) {
  switch (event.type) {
    case "snapshot": return applySnapshot(event);
    case "interaction.assigned": return upsertInteraction(event.interaction, true);
    case "interaction.removed":
    case "interaction.closed": return removeInteraction(event.interaction);
    case "message.created": return messageCreated(event.interaction_id, event.message);
    case "message.status": return messageStatus(event.interaction_id, event.message);
    case "agent.presence": return setPresence(event.presence);
    case "conversation": return showConversation(event);
    case "reply.stored": return replyStored(event);
    case "interaction.read": unreadOnRead(state.unread, event); return renderList();
    case "agent.preferences": return setPreferences(event.preferences);
    case "hello": state.supervisor = !!event.supervisor; return null;
    case "error": return showError(event.message);
    default: return null;
  }
}

function applySnapshot(snapshot) {
  state.syncs += 1;
  state.agent = snapshot.agent;
  state.interactions = new Map();
  (snapshot.interactions || []).forEach(function (item) { state.interactions.set(item.id, item); });
  unreadFromSnapshot(state.unread, snapshot.interactions);
  if (snapshot.templates) templates = snapshot.templates;
  templatesApi.set(templates); // desk/templates.js
  templatesApi.setAgent(state.agent);
  if (state.agent) { setPresence(state.agent.presence); setPreferences(state.agent.preferences || {}); }
  var forPreviews = state.previewsPending;
  state.previewsPending = false;
  renderList();
  if (forPreviews && state.selected && state.conversation) return;
  if (state.selected && (state.interactions.has(state.selected) || state.selected === state.peek)) {
    requestOpen(state.selected);
  } else if (state.selected) {
    closeConversation(true);
  } else if (state.interactions.size) {
    // ?open=<id>: the conversation just reopened or started from a history page.
    var wanted = Number(new URLSearchParams(location.search).get("open"));
    select(state.interactions.has(wanted) ? wanted : state.interactions.keys().next().value);
  }
}

function upsertInteraction(item, isNew) {
  if (isStale(state.interactions, state.gone, item)) return;
  var known = state.interactions.get(item.id);
  if (known) {
    item.last_message = item.last_message || known.last_message;
    item.labels = item.labels || known.labels;
    item.window_closes_at = windowFrom(item.last_inbound_at);
  } else {
    item.window_closes_at = windowFrom(item.last_inbound_at);
    if (isNew) alertAgent(item, null);
    // No count here: a customer's first message arrives as its own message.created and is
    // counted there. A conversation handed over carries no newest message: a fresh
    // snapshot brings its preview line.
    if (!item.last_message && !state.previewsPending) { state.previewsPending = true; send({ type: "sync" }); }
  }
  state.gone.delete(item.id);
  state.interactions.set(item.id, item);
  renderList();
  if (!state.selected || (!state.interactions.has(state.selected) && state.selected !== state.peek)) select(item.id);
  if (state.agent) { state.agent.open_interactions = state.interactions.size; renderLoad(); }
}

function removeInteraction(item) {
  if (removalIsStale(state.interactions, item)) return;
  state.gone.set(item.id, item.version);
  state.interactions.delete(item.id);
  unreadClear(state.unread, item.id);
  renderList();
  if (state.selected === item.id) closeConversation(true);
  if (state.agent) { state.agent.open_interactions = state.interactions.size; renderLoad(); }
}

function messageCreated(interactionId, message) {
  var item = state.interactions.get(interactionId);
  if (!item) return;
  item.last_message = message;
  if (message.direction === "in") {
    item.last_inbound_at = message.created_at;
    item.window_closes_at = windowFrom(message.created_at);
    var seen = inView(interactionId);
    if (unreadOnMessage(state.unread, interactionId, message, seen)) alertAgent(item, message);
  }
  if (state.conversation && state.conversation.interaction.id === interactionId) {
    addMessage(message);
    renderComposer();
    markRead();
  }
  if (interactionId === state.opening) state.early.set(message.id, message);
  renderList();
}

function messageStatus(interactionId, message) {
  if (state.early.has(message.id)) state.early.set(message.id, message);
  if (state.conversation && state.conversation.messages.has(message.id)) addMessage(message);
  var item = state.interactions.get(interactionId);
  if (item && item.last_message && item.last_message.id === message.id) item.last_message = message;
}

// --- presence and load -----------------------------------------------------------
function setPresence(presence) {
  if (state.agent) state.agent.presence = presence;
  document.querySelectorAll("#presence button").forEach(function (b) {
    b.classList.toggle("active", b.dataset.presence === presence);
    b.setAttribute("aria-pressed", b.dataset.presence === presence ? "true" : "false");
  });
  $("desk").dataset.presence = presence;
  renderLoad();
  renderEmpty();
}
function renderLoad() {
  if (!state.agent) { $("load").textContent = ""; return; }
  $("load").textContent = fmt(gettext("%(open)s of %(max)s interactions"), { open: state.interactions.size, max: state.agent.max_interactions });
}

// --- list ------------------------------------------------------------------------
function renderList() {
  var list = $("interaction-list");
  list.textContent = "";
  var total = 0;
  state.interactions.forEach(function (item) {
    var unread = unreadCount(state.unread, item.id);
    total += unread;
    if (runHooks("list-filter", item).indexOf(false) !== -1) return;
    var li = el("li", { "data-id": item.id, tabindex: "0", role: "option", "aria-selected": String(item.id === state.selected) });
    if (item.id === state.selected) li.classList.add("selected");
    var top = el("div", { class: "row" });
    top.appendChild(el("strong", null, item.contact.name || contactLabel(item.contact)));
    if (unread) top.appendChild(el("span", { class: "badge", "data-unread": unread }, String(unread)));
    li.appendChild(top);
    li.appendChild(el("div", { class: "muted small" }, item.service.name + " · " + contactLabel(item.contact)));
    if (item.last_message) li.appendChild(el("div", { class: "preview" }, previewText(item.last_message)));
    runHooks("list-item", li, item);
    li.addEventListener("click", function () { select(item.id); showView("conversation"); });
    li.addEventListener("keydown", function (e) { if (e.key === "Enter") { select(item.id); showView("conversation"); } });
    list.appendChild(li);
  });
  renderEmpty();
  runHooks("list-rendered", list);
  showTabBadge(total, gettext("Desk") + " · OCC");
}
// What is true for the agent's presence, said when the list is empty.
function renderEmpty() {
  var empty = $("empty-list");
  empty.hidden = state.interactions.size > 0;
  var presence = state.agent ? state.agent.presence : "";
  if (presence === "online") empty.textContent = gettext("No open conversations. You are online: new ones appear here as customers write.");
  else if (presence === "away") empty.textContent = gettext("No open conversations. You are away: no new ones are assigned to you until you go online.");
  else if (presence === "offline") empty.textContent = gettext("No open conversations. You are offline: go online to receive them.");
  else empty.textContent = "";
}
// On a phone the desk shows the list or one conversation full-screen (desk.css).
function showView(name) {
  $("desk").dataset.view = name;
  if (name === "conversation") { window.scrollTo(0, 0); markRead(); }
}
// The agent can see this conversation now: selected, shown (on a phone, not the list) and the tab in front.
function inView(interactionId) {
  return state.selected === interactionId && !document.hidden && $("conversation").getClientRects().length > 0;
}
// Read up to the newest message shown: the server moves the marker and tells the other tabs.
function markRead() {
  var conv = state.conversation;
  if (!conv || !inView(conv.interaction.id)) return;
  var newest = newestId(conv.messages);
  var id = conv.interaction.id;
  notify.read(id);
  if (unreadCount(state.unread, id)) { unreadClear(state.unread, id); renderList(); }
  if (!newest || (state.readSent.get(id) || 0) >= newest) return;
  if (send({ type: "read", interaction_id: id, message_id: newest })) state.readSent.set(id, newest);
}

// --- conversation ------------------------------------------------------------------
function select(id) {
  if (state.interactions.has(id)) state.peek = null;
  state.selected = id;
  keepDraft(id); // from now on, what is typed is for this conversation
  renderList();
  requestOpen(id);
}
// The server answers `conversation` with the history as it read it: a message pushed while the
// answer is on its way may be newer than that reading, so it is kept and shown with it.
function requestOpen(id) {
  if (state.opening !== id) { state.early = new Map(); state.opensPending = 0; }
  state.opening = id;
  if (send({ type: "open", interaction_id: id })) state.opensPending += 1;
}

function closeConversation(notice) {
  state.selected = null;
  state.conversation = null;
  $("conversation").hidden = true;
  $("messages").textContent = "";
  document.dispatchEvent(new CustomEvent("occ:conversation-closed"));
  showView("list");
  if (notice) flash(gettext("This interaction was closed or moved away from you."));
  if (state.interactions.size) select(state.interactions.keys().next().value);
}

function showConversation(data) {
  if (data.interaction.id !== state.selected) return;
  var known = state.interactions.get(data.interaction.id);
  if (known) { data.interaction.last_message = known.last_message; state.interactions.set(data.interaction.id, Object.assign(known, data.interaction)); }
  state.conversation = { interaction: data.interaction, history: data.history, messages: new Map(), attribution: data.attribution };
  $("conversation").hidden = false;
  // The customer panel (desk/customer-panel.js) follows the conversation shown.
  document.dispatchEvent(new CustomEvent("occ:conversation", { detail: data }));
  var contact = data.interaction.contact;
  $("conv-title").textContent = (contact.name || contactLabel(contact));
  $("conv-meta").textContent = contactLabel(contact) + " · " + data.interaction.service.name;
  renderAssigned();
  // How the customer came, when the website widget told us; the routing reason is for supervisors.
  // Where the customer came from is part of the "Assigned to you" line (renderAssigned).
  $("conv-attribution").hidden = true;
  var box = $("messages");
  box.textContent = "";
  state.atBottom = true;
  data.history.forEach(function (part) {
    var current = part.interaction.id === data.interaction.id;
    var divider = el("div", { class: "divider" + (current ? " current" : "") },
      gettext("Interaction") + " #" + part.interaction.id + " · " + part.interaction.service.name + " · " + timeOf(part.interaction.created_at) +
      (part.interaction.closed_at ? " — " + gettext("closed") + " " + timeOf(part.interaction.closed_at) : current ? " — " + gettext("current") : ""));
    box.appendChild(divider);
    var group = el("div", { class: "group", "data-interaction": part.interaction.id });
    box.appendChild(group);
    part.messages.forEach(function (m) { if (current) addMessage(m); else group.appendChild(renderMessage(m, config.media)); });
    runHooks("history-part", group, part, current);
  });
  // Messages pushed while the history was on its way, that it does not hold.
  state.early.forEach(function (m) { if (!state.conversation.messages.has(m.id)) addMessage(m); });
  if (state.opening === data.interaction.id && --state.opensPending <= 0) { state.opening = null; state.early = new Map(); }
  box.scrollTop = box.scrollHeight;
  if (state.interactions.has(data.interaction.id)) send({ type: "transfer_targets", interaction_id: data.interaction.id });
  renderComposer();
  runHooks("conversation-shown", state.conversation, state.interactions.get(data.interaction.id) || data.interaction);
  markRead();
  compose.typing("opening");
}

// What the agent was writing stays with its conversation: another one shown never inherits it
// (a reply meant for one customer must not go to the next), and coming back brings it back.
function keepDraft(id) {
  if (state.draftFor === id) return;
  var body = $("reply-body");
  if (state.draftFor && state.interactions.has(state.draftFor) && body.value) state.drafts.set(state.draftFor, body.value);
  else if (state.draftFor) state.drafts.delete(state.draftFor);
  body.value = state.drafts.get(id) || "";
  state.drafts.delete(id);
  state.draftFor = id;
}

function addMessage(message) {
  var conv = state.conversation;
  if (!conv) return;
  conv.messages.set(message.id, message);
  var group = document.querySelector('#messages .group[data-interaction="' + conv.interaction.id + '"]');
  if (!group) return;
  var node = renderMessage(message, config.media);
  var existing = group.querySelector('.msg[data-id="' + message.id + '"]');
  if (existing) { group.replaceChild(node, existing); return; }
  var box = $("messages");
  var follow = state.atBottom !== false;
  group.appendChild(node);
  if (follow) box.scrollTop = box.scrollHeight;
}
// "Assigned to you · 3 min ago", refreshed with the composer.
function renderAssigned() {
  var conv = state.conversation;
  if (!conv) return;
  var item = conv.interaction;
  var mine = state.agent && item.agent_id === state.agent.id;
  var text = item.state === "assigned" && mine ? gettext("Assigned to you") : stateName(item.state);
  if (item.assigned_at) text += " · " + ago(item.assigned_at);
  // Where the customer came from, when the website widget told us: "via the website widget (page…)".
  var came = conv.attribution;
  if (came) {
    var page = came.page_url ? came.page_url.replace(/^https?:\/\//, "").replace(/\/$/, "") : came.widget;
    if (page.length > 48) page = page.slice(0, 47) + "…";
    text += " · " + fmt(gettext("via the website widget (%(page)s)"), { page: page });
  }
  $("conv-assigned").textContent = text;
  if (came && came.page_url) $("conv-assigned").title = came.page_url;
  // Why routing chose this agent: for supervisors only, never the agents' internals.
  var reason = $("conv-reason");
  if (reason) {
    reason.hidden = !(state.supervisor && item.assignment_reason);
    reason.textContent = reason.hidden ? "" : gettext("Routing:") + " " + describeReason(item.assignment_reason);
  }
}

// --- composer --------------------------------------------------------------------
function renderComposer() {
  var conv = state.conversation;
  if (!conv) return;
  var item = state.interactions.get(conv.interaction.id) || conv.interaction;
  var closes = item.window_closes_at || windowFrom(item.last_inbound_at);
  var left = closes ? new Date(closes).getTime() - Date.now() : -1;
  var info = $("window-info");
  var open = left > 0;
  if (open) {
    var hours = Math.floor(left / 3600000);
    var minutes = Math.floor((left % 3600000) / 60000);
    info.textContent = fmt(gettext("Free text allowed for %(time)s more (WhatsApp 24-hour window)."), { time: hours + " h " + minutes + " min" });
    info.className = "window" + (left < 3600000 ? " soon" : "");
  } else {
    info.textContent = closes ? gettext("More than 24 hours have passed since the customer last wrote: WhatsApp allows only an approved template until they write again (Twilio error 63016).") : gettext("The customer has not written yet: only an approved template can be sent.");
    info.className = "window expired";
  }
  $("free-text").hidden = !open;
  $("template-box").hidden = open;
  $("composer").dataset.window = open ? "open" : "closed";
  if (!open && !templates.length) info.textContent += " " + gettext("No template is approved yet: an administrator syncs them from Twilio in Settings → Advanced → Chat channel → WhatsApp templates.");
  runHooks("composer");
}

function submitReply(e) {
  e.preventDefault();
  if (desk.interceptSubmit && desk.interceptSubmit(e)) return;
  var conv = state.conversation;
  if (!conv) return;
  $("composer-error").textContent = "";
  var command = { type: "reply", interaction_id: conv.interaction.id, client_id: "c" + Date.now() };
  if ($("composer").dataset.window === "open") {
    command.body = $("reply-body").value;
    if (state.pendingUpload) command.attachments = [state.pendingUpload];
    if (!command.body.trim() && !command.attachments) return;
  } else {
    var picker = templatesApi.composer();
    var t = picker.chosen();
    if (!t) return;
    var missing = picker.missing();
    if (missing.length) { $("composer-error").textContent = templatesApi.missingText(missing); return; }
    command.template_id = t.sid;
    command.template_variables = picker.values();
  }
  if (send(command)) $("send-button").disabled = true;
}

function replyStored(event) {
  $("send-button").disabled = false;
  // (The agent may have moved on to another conversation meanwhile: its draft stays.)
  if (event.message.interaction_id === state.draftFor) $("reply-body").value = "";
  $("reply-file").value = "";
  $("attachment-name").textContent = "";
  state.pendingUpload = null;
  if (state.conversation && event.message.interaction_id === state.conversation.interaction.id) addMessage(event.message);
}

function uploadFile() {
  var file = $("reply-file").files[0];
  state.pendingUpload = null;
  $("attachment-name").textContent = "";
  if (!file) return;
  var form = new FormData();
  form.append("file", file);
  fetch(config.upload, { method: "POST", body: form, headers: { "X-CSRFToken": csrfToken() }, credentials: "same-origin" })
    .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
    .then(function (result) {
      if (!result.ok) { showError(result.data.error); $("reply-file").value = ""; return; }
      state.pendingUpload = { token: result.data.token, name: result.data.name };
      $("attachment-name").textContent = result.data.name;
    });
}

// --- transfer and close ------------------------------------------------------------
function showError(text) {
  $("send-button").disabled = false;
  $("composer-error").textContent = text || "";
  if (text) flash(text);
}
function flash(text) {
  var notice = $("notice");
  notice.textContent = text;
  notice.hidden = false;
  clearTimeout(flash.timer);
  flash.timer = setTimeout(function () { notice.hidden = true; }, 6000);
}

// --- telling the agent ---------------------------------------------------------------
// Sound and desktop notification (desk/notify.js), as the agent's preferences say.
function alertAgent(item, message) { notify.alert(message ? "message" : "conversation", item, message); }
function setPreferences(prefs) {
  if (state.agent) state.agent.preferences = prefs;
  notify.apply(prefs);
}

// --- wiring ------------------------------------------------------------------------
document.querySelectorAll("#presence button").forEach(function (b) {
  b.addEventListener("click", function () {
    presence.choose(b.dataset.presence);
    if (b.dataset.presence === "online") notify.offerPermission();
  });
});
// Keys in the reply box (Enter, Ctrl+Enter, the menus) are desk/keys.js's: they submit this form.
$("composer").addEventListener("submit", submitReply);
$("reply-file").addEventListener("change", uploadFile);
// The close and transfer dialogs are desk/labels.js's.
$("close-button").addEventListener("click", function () {
  if (state.conversation) runHooks("close-requested", state.conversation);
});
$("transfer-button").addEventListener("click", function () {
  if (state.conversation) runHooks("transfer-requested", state.conversation);
});
presence.init({
  send: send,
  held: function () { return state.interactions.size; },
  presence: function () { return state.agent ? state.agent.presence : ""; },
  flash: flash,
}, config);
compose.init({
  prefs: function () { return (state.agent && state.agent.preferences) || {}; },
  conversation: function () { return state.conversation; },
  send: send,
  flash: flash,
}, config);
notify.init({
  send: send,
  select: function (id) { select(id); showView("conversation"); },
  prefs: function () { return (state.agent && state.agent.preferences) || {}; },
});
document.addEventListener("visibilitychange", function () {
  markRead();
});
$("back-button").textContent = "← " + gettext("Conversations");
$("back-button").addEventListener("click", function () { showView("list"); });
// A picture or a contact card that renders after the view reached the latest message keeps it there.
$("messages").addEventListener("occ:rendered", function () {
  var box = $("messages");
  if (state.atBottom !== false) box.scrollTop = box.scrollHeight;
});
rich.init();
$("messages").addEventListener("scroll", function () {
  var box = $("messages");
  state.atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
});
templatesApi.onStarted(function (id) { desk.open(id); });

// Called once every module of the page has plugged in (static/js/desk.js).
export function start() {
  setInterval(function () { renderComposer(); renderAssigned(); }, 30000);
  socket.connect();
}
