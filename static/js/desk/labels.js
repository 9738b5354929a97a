/* The desk's labels, close dialog and transfer dialog, plugged into the desk (desk/desk.js) through its hooks.
 *
 * Labels go on and come off over the socket (`label`), and every tab of the agent sees the change
 * (`interaction.labels`). Closing asks for the close reason (required when the service says so;
 * the server refuses it too) and an optional wrap-up note; transferring offers the service's other
 * agents, the other services' queues and the way back to the queue, with a note for whoever gets
 * it. Styled <dialog>s: never the browser's confirm().
 */
import { $, el } from "../lib/dom.js";
import { gettext, fmt } from "../lib/i18n.js";
import { timeOf } from "../lib/format.js";
import { desk } from "./desk.js";
import { acceptsVersion } from "./state.js";

var state = desk.state;
var choices = { labels: [], closeReasons: [] };
var filter = "";
var targets = null;

function current() {
  var conv = state.conversation;
  if (!conv) return null;
  return state.interactions.get(conv.interaction.id) || conv.interaction;
}

// A label as a chip; colours through the CSS object model (the policy allows no style attributes).
function chip(label, onRemove) {
  var node = el("span", { class: "chip", "data-label": label.id }, label.name);
  node.style.backgroundColor = label.colour;
  node.style.color = label.text_colour || "#ffffff";
  if (onRemove) {
    var remove = el("button", { type: "button", "aria-label": fmt(gettext("Remove the label %(name)s"), { name: label.name }) }, "×");
    remove.addEventListener("click", function () { onRemove(label); });
    node.appendChild(remove);
  }
  return node;
}

// --- events from the server ---------------------------------------------------------------
desk.on("event", function (event) {
  switch (event.type) {
    case "snapshot":
      choices.labels = event.labels || [];
      choices.closeReasons = event.close_reasons || [];
      renderFilter();
      break;
    case "interaction.labels": applyLabels(event); break;
    case "transfer.targets":
      if (state.conversation && event.interaction_id === state.conversation.interaction.id) {
        targets = event;
        if ($("transfer-dialog").open) renderTargets();
      }
      break;
    case "close.ok": finish($("close-dialog"), "close-confirm"); break;
    case "transfer.ok": finish($("transfer-dialog"), "transfer-confirm"); break;
    case "error":
      if (event.command === "close" && $("close-dialog").open) refuse("close", event.message);
      if (event.command === "transfer" && $("transfer-dialog").open) refuse("transfer", event.message);
      break;
    default: break;
  }
});

function applyLabels(event) {
  var item = state.interactions.get(event.interaction_id);
  if (item) {
    if (!acceptsVersion(item, event.version)) return;
    item.labels = event.labels;
    item.version = event.version;
  }
  var conv = state.conversation;
  if (conv && conv.interaction.id === event.interaction_id) {
    conv.interaction.labels = event.labels;
    renderLabels(item || conv.interaction);
  }
  desk.refresh();
}

// --- labels on the open conversation ------------------------------------------------------------
desk.on("conversation-shown", function (_conv, item) {
  targets = null;
  renderLabels(item);
  renderHandover(item);
});

function renderLabels(item) {
  var box = $("conv-labels");
  box.textContent = "";
  var on = item.labels || [];
  var ids = on.map(function (l) { return l.id; });
  on.forEach(function (label) {
    box.appendChild(chip(label, function (gone) {
      desk.send({ type: "label", interaction_id: item.id, label_id: gone.id, on: false });
    }));
  });
  var left = choices.labels.filter(function (l) { return ids.indexOf(l.id) === -1; });
  if (!left.length) return;
  var add = el("select", { id: "label-add", class: "label-add", "aria-label": gettext("Add a label") });
  add.appendChild(el("option", { value: "" }, "+ " + gettext("Label")));
  left.forEach(function (l) { add.appendChild(el("option", { value: l.id }, l.name)); });
  add.addEventListener("change", function () {
    if (add.value) desk.send({ type: "label", interaction_id: item.id, label_id: Number(add.value), on: true });
  });
  box.appendChild(add);
}

function handoverText(handover) {
  var text = fmt(handover.kind === "requeued" ? gettext("Returned to the queue by %(name)s") : gettext("Transferred by %(name)s"), { name: handover.by });
  return handover.note ? text + ": " + handover.note : text;
}
function renderHandover(item) {
  var node = $("conv-handover");
  if (!item.handover) { node.hidden = true; node.textContent = ""; return; }
  node.hidden = false;
  node.textContent = handoverText(item.handover) + " · " + timeOf(item.handover.at);
}

// --- the list: labels, who handed it over, the filter ------------------------------------------
desk.on("list-item", function (li, item) {
  if (item.handover) li.appendChild(el("div", { class: "small handed-over" }, "↪ " + handoverText(item.handover)));
  if (item.labels && item.labels.length) {
    var row = el("div", { class: "chips" });
    item.labels.forEach(function (l) { row.appendChild(chip(l)); });
    li.appendChild(row);
  }
});
desk.on("list-filter", function (item) {
  if (!filter) return true;
  return (item.labels || []).some(function (l) { return String(l.id) === filter; });
});
// A filter that hides every conversation says so (the list's own message is about presence).
desk.on("list-rendered", function (list) {
  var note = $("filter-empty");
  note.hidden = !(filter && state.interactions.size && !list.children.length);
});
function renderFilter() {
  var select = $("label-filter");
  var keep = filter;
  select.textContent = "";
  select.appendChild(el("option", { value: "" }, gettext("All labels")));
  choices.labels.forEach(function (l) { select.appendChild(el("option", { value: l.id }, l.name)); });
  filter = choices.labels.some(function (l) { return String(l.id) === keep; }) ? keep : "";
  select.value = filter;
  $("list-filters").hidden = !choices.labels.length;
}
$("label-filter").addEventListener("change", function () {
  filter = $("label-filter").value;
  desk.refresh();
});

// --- how earlier conversations ended, in the history ------------------------------------------
desk.on("history-part", function (group, part, isCurrent) {
  var item = part.interaction;
  if (isCurrent || (!item.close_reason && !item.wrap_up_note && !(item.labels || []).length)) return;
  var box = el("div", { class: "wrapup" });
  if (item.close_reason) box.appendChild(el("div", null, gettext("Close reason") + ": " + item.close_reason.name));
  if (item.wrap_up_note) box.appendChild(el("div", { class: "wrapup-note" }, gettext("Wrap-up note") + ": " + item.wrap_up_note));
  if ((item.labels || []).length) {
    var row = el("div", { class: "chips" });
    item.labels.forEach(function (l) { row.appendChild(chip(l)); });
    box.appendChild(row);
  }
  group.appendChild(box);
});

// --- dialogs ---------------------------------------------------------------------------------
function finish(dialog, buttonId) {
  $(buttonId).disabled = false;
  if (dialog.open) dialog.close();
}
function refuse(kind, message) {
  $(kind + "-confirm").disabled = false;
  $(kind + "-error").textContent = message || "";
}
$("close-cancel").addEventListener("click", function () { $("close-dialog").close(); });
$("transfer-cancel").addEventListener("click", function () { $("transfer-dialog").close(); });

desk.on("close-requested", function () {
  var item = current();
  if (!item) return;
  var required = !!(item.service && item.service.close_reason_required);
  var select = $("close-reason");
  select.textContent = "";
  select.appendChild(el("option", { value: "" }, gettext("Choose a close reason…")));
  choices.closeReasons.forEach(function (r) { select.appendChild(el("option", { value: r.id }, r.name)); });
  select.required = required;
  $("close-reason-required").hidden = !required;
  $("close-reason-optional").hidden = required;
  $("wrap-up-note").value = "";
  $("close-error").textContent = "";
  $("close-confirm").disabled = false;
  $("close-dialog-who").textContent = (item.contact.name || item.contact.address) + " · " + item.service.name;
  $("close-dialog").showModal();
  select.focus();
});
$("close-form").addEventListener("submit", function (e) {
  e.preventDefault();
  var item = current();
  if (!item) { $("close-dialog").close(); return; }
  var reason = $("close-reason").value;
  if ($("close-reason").required && !reason) {
    refuse("close", gettext("This service requires a close reason: choose one."));
    $("close-reason").focus();
    return;
  }
  $("close-error").textContent = "";
  var command = { type: "close", interaction_id: item.id, close_reason_id: reason ? Number(reason) : null, wrap_up_note: $("wrap-up-note").value };
  if (desk.send(command)) $("close-confirm").disabled = true;
});

desk.on("transfer-requested", function () {
  var item = current();
  if (!item) return;
  $("transfer-note").value = "";
  $("transfer-error").textContent = "";
  $("transfer-confirm").disabled = false;
  renderTargets();
  desk.send({ type: "transfer_targets", interaction_id: item.id });
  $("transfer-dialog").showModal();
});

function option(value, text, disabled) {
  var label = el("label", disabled ? { class: "unavailable" } : null);
  var input = el("input", { type: "radio", name: "transfer-to", value: value });
  if (disabled) input.disabled = true;
  label.appendChild(input);
  label.appendChild(el("span", null, text));
  return label;
}
function renderTargets() {
  var box = $("transfer-options");
  var chosen = (box.querySelector("input:checked") || {}).value;
  box.textContent = "";
  if (!targets) { box.appendChild(el("p", { class: "muted" }, gettext("Loading…"))); return; }
  box.appendChild(el("p", { class: "group-title" }, fmt(gettext("In %(service)s"), { service: targets.service.name })));
  box.appendChild(option("queue", gettext("Back to the queue")));
  targets.agents.forEach(function (a) {
    var text = a.name + " (" + a.open_interactions + "/" + a.max_interactions + ")" + (a.available ? "" : " — " + gettext("unavailable"));
    box.appendChild(option("agent:" + a.id, text, !a.available));
  });
  if (!targets.agents.length) box.appendChild(el("p", { class: "muted small" }, gettext("No colleague serves this service.")));
  if (targets.services.length) {
    box.appendChild(el("p", { class: "group-title" }, gettext("Another service's queue")));
    targets.services.forEach(function (s) { box.appendChild(option("service:" + s.id, s.name)); });
  }
  if (chosen) {
    var again = box.querySelector('input[value="' + chosen + '"]');
    if (again && !again.disabled) again.checked = true;
  }
}
$("transfer-form").addEventListener("submit", function (e) {
  e.preventDefault();
  var item = current();
  if (!item) { $("transfer-dialog").close(); return; }
  var picked = $("transfer-options").querySelector("input:checked");
  if (!picked) { refuse("transfer", gettext("Choose where to transfer it.")); return; }
  var command = { type: "transfer", interaction_id: item.id, note: $("transfer-note").value };
  var parts = picked.value.split(":");
  if (parts[0] === "queue") command.to_agent_id = "queue";
  else if (parts[0] === "agent") command.to_agent_id = Number(parts[1]);
  else command.to_service_id = Number(parts[1]);
  $("transfer-error").textContent = "";
  if (desk.send(command)) $("transfer-confirm").disabled = true;
});
