/* Private notes in the desk (docs/canned-responses.md, "Private notes").
 *
 * The composer's Reply / Note switch: in Note mode the text box writes a
 * note (`note` command), which is never sent to the customer. Notes show in
 * the timeline among the messages, in order, marked "Private note". A note
 * that mentions this agent (`@username`) brings a toast and the Mentions
 * counter; its list opens the conversation, read-only when it is not theirs.
 */
import { $, el } from "../lib/dom.js";
import { gettext, fmt } from "../lib/i18n.js";
import { timeOf } from "../lib/format.js";
import { desk } from "./desk.js";
import { keys } from "./keys.js";
import { placeIndex } from "./state.js";

var state = desk.state;

var notes = { mode: "reply", mentions: [], unseen: 0, toastFor: null };
var replyPlaceholder = $("reply-body").getAttribute("placeholder");

// --- the composer's mode ------------------------------------------------------
function held() {
  return !!(state.conversation && state.interactions.has(state.conversation.interaction.id));
}
function setMode(mode) {
  notes.mode = mode;
  if (typeof closeMentionMenu === "function") closeMentionMenu();
  applyMode();
}
function applyMode() {
  var note = notes.mode === "note";
  var canReply = held() || !state.conversation;
  if (!canReply && !note) { notes.mode = "note"; note = true; }
  $("composer").classList.toggle("note-mode", note);
  $("composer").dataset.mode = notes.mode;
  $("mode-reply").setAttribute("aria-pressed", note ? "false" : "true");
  $("mode-note").setAttribute("aria-pressed", note ? "true" : "false");
  $("mode-reply").disabled = !canReply;
  $("mode-reply").title = canReply ? "" : gettext("This conversation is not yours: you can add notes only.");
  var hint = $("note-hint");
  if (!hint.dataset.text) hint.dataset.text = hint.textContent;
  hint.hidden = !note;
  hint.textContent = canReply ? hint.dataset.text : gettext("This conversation is not yours: you can add notes only.");
  $("reply-body").setAttribute("placeholder", note ? gettext("Write a private note… @username notifies a colleague") : replyPlaceholder);
  $("reply-body").setAttribute("aria-label", note ? gettext("Private note") : gettext("Reply"));
  $("send-button").textContent = note ? gettext("Add note") : gettext("Send");
  $("conversation").classList.toggle("peek", !!state.conversation && !held());
  if (note) {
    // Notes are free text at any time: WhatsApp's window is about the customer, not about notes.
    $("free-text").hidden = false;
    $("template-box").hidden = true;
  }
}
desk.on("composer", applyMode);
$("mode-reply").addEventListener("click", function () { setMode("reply"); $("reply-body").focus(); });
$("mode-note").addEventListener("click", function () { setMode("note"); $("reply-body").focus(); });

desk.interceptSubmit = function () {
  if (notes.mode !== "note") return false;
  var conv = state.conversation;
  var text = $("reply-body").value;
  if (!conv || !text.trim()) return true;
  $("composer-error").textContent = "";
  if (desk.send({ type: "note", interaction_id: conv.interaction.id, body: text, client_id: "n" + Date.now() })) {
    $("send-button").disabled = true;
  }
  return true;
};

desk.on("note.stored", function (event) {
  $("send-button").disabled = false;
  $("reply-body").value = "";
  addNote(event.note, true);
});
desk.on("note.created", function (event) { addNote(event.note, true); });
desk.on("error", function (event) { if (event.command === "note") $("send-button").disabled = false; });

// --- the timeline ---------------------------------------------------------------
function renderNote(note) {
  var node = el("div", { class: "note", "data-note-id": note.id, "data-at": note.created_at || "" });
  var head = el("div", { class: "note-head" });
  head.appendChild(el("span", { class: "lock-icon", "aria-hidden": "true" }));
  head.appendChild(el("strong", null, gettext("Private note")));
  head.appendChild(el("span", { class: "muted" }, (note.author_name ? note.author_name + " · " : "") + timeOf(note.created_at)));
  node.appendChild(head);
  var text = el("div", { class: "body" });
  var names = {};
  (note.mentions || []).forEach(function (m) { names[m.username.toLowerCase()] = m; });
  // @username of a mentioned agent is highlighted; everything stays text (no HTML from the note).
  var pattern = /(^|[^\w@.+-])@([\w.@+-]+)/g;
  var last = 0;
  var match;
  while ((match = pattern.exec(note.body)) !== null) {
    var name = match[2].replace(/\.+$/, "");
    var at = match.index + match[1].length;
    if (!names[name.toLowerCase()]) continue;
    text.appendChild(document.createTextNode(note.body.slice(last, at)));
    var mine = state.agent && names[name.toLowerCase()].id === state.agent.id;
    text.appendChild(el("span", { class: "mention" + (mine ? " me" : ""), title: names[name.toLowerCase()].name }, "@" + name));
    last = at + 1 + name.length;
  }
  text.appendChild(document.createTextNode(note.body.slice(last)));
  node.appendChild(text);
  return node;
}

function groupOf(interactionId) {
  return document.querySelector('#messages .group[data-interaction="' + interactionId + '"]');
}

// In order with the messages: before the first item of the group that is newer.
function place(group, node, at) {
  var items = group.querySelectorAll(".msg, .note");
  var times = Array.prototype.map.call(items, function (item) { return item.dataset.at ? new Date(item.dataset.at).getTime() : 0; });
  var index = placeIndex(times, at ? new Date(at).getTime() : null);
  if (index < items.length) group.insertBefore(node, items[index]);
  else group.appendChild(node);
}

function addNote(note, live) {
  if (!state.conversation) return;
  var group = groupOf(note.interaction_id);
  if (!group) return;
  var existing = group.querySelector('.note[data-note-id="' + note.id + '"]');
  var node = renderNote(note);
  if (existing) { group.replaceChild(node, existing); return; }
  var box = $("messages");
  var follow = state.atBottom !== false;
  place(group, node, note.created_at);
  if (live && follow) box.scrollTop = box.scrollHeight;
}

desk.on("conversation", function (data) {
  (data.history || []).forEach(function (part) {
    (part.notes || []).forEach(function (note) { addNote(note, false); });
  });
  var box = $("messages");
  box.scrollTop = box.scrollHeight;
  // A conversation opened from a mention is read-only: notes only.
  if (!held()) notes.mode = "note";
  else if (notes.peeked) notes.mode = "reply";
  notes.peeked = !held();
  applyMode();
  markSeen(data.interaction.id);
});

// --- mentions -------------------------------------------------------------------
function mentionText(entry) {
  var contact = entry.interaction.contact;
  return fmt(gettext("%(author)s mentioned you in a note on %(contact)s (%(service)s)"), {
    author: entry.note.author_name || gettext("A colleague"),
    contact: contact.name || contact.address,
    service: entry.interaction.service.name,
  });
}

function renderMentions() {
  var list = $("mentions-list");
  list.textContent = "";
  notes.mentions.forEach(function (entry) {
    var li = el("li", { "data-interaction": entry.interaction.id, "data-note-id": entry.note.id });
    if (entry.unseen) li.classList.add("unseen");
    var open = el("button", { type: "button", class: "link mention-open" });
    open.appendChild(el("span", { class: "mention-who" }, mentionText(entry)));
    open.appendChild(el("span", { class: "mention-body muted" }, entry.note.body));
    open.appendChild(el("span", { class: "muted small" }, timeOf(entry.note.created_at)));
    open.addEventListener("click", function () { openMention(entry); });
    li.appendChild(open);
    list.appendChild(li);
  });
  $("mentions-empty").hidden = notes.mentions.length > 0;
  notes.unseen = notes.mentions.filter(function (e) { return e.unseen; }).length;
  var count = $("mentions-count");
  count.hidden = notes.unseen === 0;
  count.textContent = String(notes.unseen);
  $("mentions").classList.toggle("has-unseen", notes.unseen > 0);
}

function openMention(entry) {
  closePanel();
  hideToast();
  desk.openConversation(entry.interaction.id);
}

function markSeen(interactionId) {
  var changed = false;
  notes.mentions.forEach(function (entry) {
    if (entry.unseen && entry.interaction.id === interactionId) { entry.unseen = false; changed = true; }
  });
  if (changed) renderMentions();
}

desk.on("snapshot", function (snapshot) {
  var unseen = {};
  notes.mentions.forEach(function (e) { if (e.unseen) unseen[e.note.id] = true; });
  notes.mentions = (snapshot.mentions || []).map(function (e) {
    return { interaction: e.interaction, note: e.note, unseen: !!unseen[e.note.id] };
  });
  renderMentions();
});

desk.on("note.mention", function (event) {
  var entry = { interaction: event.interaction, note: event.note, unseen: true };
  notes.mentions = notes.mentions.filter(function (e) { return e.note.id !== event.note.id; });
  notes.mentions.unshift(entry);
  var viewing = state.conversation && state.conversation.interaction.id === event.interaction.id && !document.hidden;
  if (viewing) entry.unseen = false;
  renderMentions();
  if (!viewing) showToast(entry);
});

function showToast(entry) {
  notes.toastFor = entry;
  $("mention-toast-text").textContent = mentionText(entry) + ": “" + entry.note.body + "”";
  $("mention-toast").hidden = false;
  clearTimeout(showToast.timer);
  showToast.timer = setTimeout(hideToast, 15000);
}
function hideToast() { $("mention-toast").hidden = true; }
$("mention-toast-open").addEventListener("click", function () { if (notes.toastFor) openMention(notes.toastFor); });
$("mention-toast-close").addEventListener("click", hideToast);

function closePanel() {
  $("mentions-panel").hidden = true;
  $("mentions-button").setAttribute("aria-expanded", "false");
}
$("mentions-button").addEventListener("click", function () {
  var panel = $("mentions-panel");
  panel.hidden = !panel.hidden;
  $("mentions-button").setAttribute("aria-expanded", panel.hidden ? "false" : "true");
});
document.addEventListener("mousedown", function (e) {
  if (!$("mentions").contains(e.target)) closePanel();
});
document.addEventListener("keydown", function (e) { if (e.key === "Escape") closePanel(); });

// --- @ in a note: the colleagues to mention ----------------------------------------
var colleagues = [];
var mention = { open: false, matches: [], active: 0 };
var mentionMenu = el("ul", { class: "mention-menu", id: "mention-menu", role: "listbox", "aria-label": gettext("Mention a colleague") });
mentionMenu.hidden = true;
$("free-text").insertBefore(mentionMenu, $("reply-body"));
desk.on("hello", function () { desk.send({ type: "colleagues" }); });
// The colleagues can arrive after the agent typed "@be": the list then opens at once.
desk.on("colleagues", function (event) {
  colleagues = event.agents || [];
  if (document.activeElement === $("reply-body")) renderMentionMenu();
});

function atBeforeCaret() {
  var body = $("reply-body");
  var before = body.value.slice(0, body.selectionStart);
  var match = before.match(/(^|[^\w@.+-])@([\w.+-]*)$/);
  if (!match) return null;
  return { start: before.length - match[2].length - 1, query: match[2].toLowerCase() };
}
function renderMentionMenu() {
  var found = atBeforeCaret();
  if (notes.mode !== "note" || !found) { closeMentionMenu(); return; }
  mention.matches = colleagues.filter(function (a) {
    return a.username.toLowerCase().indexOf(found.query) === 0 || a.name.toLowerCase().indexOf(found.query) >= 0;
  }).slice(0, 8);
  if (!mention.matches.length) { closeMentionMenu(); return; }
  if (mention.active >= mention.matches.length) mention.active = 0;
  mentionMenu.textContent = "";
  mention.matches.forEach(function (agent, index) {
    var li = el("li", { role: "option", "data-username": agent.username, "aria-selected": index === mention.active ? "true" : "false" });
    if (index === mention.active) li.classList.add("active");
    li.appendChild(el("strong", null, "@" + agent.username));
    if (agent.name !== agent.username) li.appendChild(el("span", { class: "muted" }, " " + agent.name));
    li.addEventListener("mousedown", function (e) { e.preventDefault(); insertMention(agent); });
    mentionMenu.appendChild(li);
  });
  if (!mention.open) keys.opened("mention");
  mention.open = true;
  mentionMenu.hidden = false;
}
function closeMentionMenu() {
  mention.open = false;
  mention.active = 0;
  mentionMenu.hidden = true;
}
function insertMention(agent) {
  var body = $("reply-body");
  var found = atBeforeCaret();
  if (!found) return;
  var text = "@" + agent.username + " ";
  body.value = body.value.slice(0, found.start) + text + body.value.slice(body.selectionStart);
  var caret = found.start + text.length;
  closeMentionMenu();
  body.focus();
  body.setSelectionRange(caret, caret);
}
$("reply-body").addEventListener("input", function () { mention.active = 0; renderMentionMenu(); });
$("reply-body").addEventListener("blur", function () { setTimeout(closeMentionMenu, 150); });
// The keys while the list is open: the first layer of the desk's keyboard (desk/keys.js).
keys.menu({
  name: "mention",
  isOpen: function () { return mention.open; },
  close: closeMentionMenu,
  help: { id: "mention", keys: [["@"]], label: gettext("In a private note: mention a colleague") },
  key: function (e) {
    if (e.key === "ArrowDown") { mention.active = (mention.active + 1) % mention.matches.length; renderMentionMenu(); }
    else if (e.key === "ArrowUp") { mention.active = (mention.active - 1 + mention.matches.length) % mention.matches.length; renderMentionMenu(); }
    else if ((e.key === "Enter" || e.key === "Tab") && !e.shiftKey && !e.ctrlKey && !e.metaKey && !e.altKey) insertMention(mention.matches[mention.active]);
    else if (e.key === "Escape") closeMentionMenu();
    else return false;
    return true;
  },
});

desk.notes = notes;
applyMode();
