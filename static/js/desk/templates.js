/* The desk's WhatsApp templates: the composer's picker outside the 24-hour window,
 * and the "New conversation" dialog (a business-initiated conversation).
 *
 * Templates are the approved ones synced from the Twilio account (the desk's
 * snapshot carries them). A picker shows them by language, one input per
 * variable (Twilio's example value as its hint) and a live preview with the
 * quick-reply buttons; the message is sent as ContentSid + ContentVariables.
 * The desk (desk/desk.js) imports `templatesApi`.
 */
import { $, el, csrfToken, openDialog, closeDialog } from "../lib/dom.js";
import { gettext, fmt } from "../lib/i18n.js";

var LANGUAGES = { en: gettext("English"), it: gettext("Italian") };
var templates = [];
var agent = null;
var pickers = [];

function render(body, values) {
  return (body || "").replace(/\{\{\s*(\w+)\s*\}\}/g, function (m, k) { return values[k] || m; });
}
function languageName(code) { return LANGUAGES[code] || code || gettext("Other"); }

// One picker: <select id=P-select>, <div id=P-vars>, <div id=P-preview>, <div id=P-buttons>, <div id=P-meta>.
function Picker(prefix) {
  this.select = $(prefix + "-select");
  this.vars = $(prefix + "-vars");
  this.preview = $(prefix + "-preview");
  this.buttons = $(prefix + "-buttons");
  this.meta = $(prefix + "-meta");
  this.filled = null;
  var self = this;
  this.select.addEventListener("change", function () { self.renderVars(); });
}
Picker.prototype.fill = function () {
  var key = templates.map(function (t) { return t.sid; }).join(",");
  if (this.filled === key) return;
  var chosen = this.select.value;
  this.filled = key;
  while (this.select.options.length > 1) this.select.remove(1);
  this.select.querySelectorAll("optgroup").forEach(function (g) { g.remove(); });
  var groups = {};
  var select = this.select;
  templates.forEach(function (t) {
    var lang = t.language || "";
    if (!groups[lang]) {
      groups[lang] = el("optgroup", { label: languageName(lang) });
      select.appendChild(groups[lang]);
    }
    groups[lang].appendChild(el("option", { value: t.sid }, t.name));
  });
  if (chosen && this.find(chosen)) this.select.value = chosen;
  this.renderVars();
};
Picker.prototype.find = function (sid) {
  return templates.filter(function (t) { return t.sid === sid; })[0] || null;
};
Picker.prototype.chosen = function () { return this.find(this.select.value); };
Picker.prototype.values = function () {
  var values = {};
  this.vars.querySelectorAll("input").forEach(function (i) { values[i.dataset.var] = i.value.trim(); });
  return values;
};
Picker.prototype.missing = function () {
  var values = this.values();
  var t = this.chosen();
  return t ? t.variables.filter(function (name) { return !values[name]; }) : [];
};
Picker.prototype.renderVars = function () {
  var self = this;
  var previous = this.values();
  this.vars.textContent = "";
  var t = this.chosen();
  this.meta.textContent = "";
  if (!t) { this.preview.textContent = ""; this.buttons.textContent = ""; this.preview.hidden = true; return; }
  this.preview.hidden = false;
  this.meta.textContent = [languageName(t.language), t.category].filter(Boolean).join(" · ");
  t.variables.forEach(function (name) {
    var id = self.vars.id + "-" + name;
    var example = (t.examples || {})[name] || "";
    var row = el("div", { class: "tpl-var" });
    row.appendChild(el("label", { for: id }, "{{" + name + "}}" + (example ? " · " + example : "")));
    var input = el("input", { type: "text", id: id, "data-var": name, maxlength: "1000", placeholder: example || "{{" + name + "}}" });
    input.value = previous[name] || "";
    input.addEventListener("input", function () { self.renderPreview(); });
    row.appendChild(input);
    self.vars.appendChild(row);
  });
  this.renderPreview();
};
Picker.prototype.renderPreview = function () {
  var t = this.chosen();
  if (!t) return;
  this.preview.textContent = render(t.body, this.values());
  this.buttons.textContent = "";
  var box = this.buttons;
  (t.buttons || []).forEach(function (b) { box.appendChild(el("span", { class: "tpl-button" }, b.title)); });
};
Picker.prototype.reset = function () {
  this.vars.querySelectorAll("input").forEach(function (i) { i.value = ""; });
  this.renderPreview();
};
function missingText(names) {
  return fmt(gettext("Fill in every variable of the template: %(names)s"), {
    names: names.map(function (n) { return "{{" + n + "}}"; }).join(", "),
  });
}

// --- the composer ------------------------------------------------------------------
var composer = null;

// --- New conversation (business-initiated) -----------------------------------------
var starter = null;
var opener = null;

function openStart() {
  // The agent's services arrive with the first snapshot; before it there is nothing to offer.
  if (!(agent && agent.services && agent.services.length)) return;
  var dialog = $("start-dialog");
  var services = $("start-service");
  services.textContent = "";
  ((agent && agent.services) || []).forEach(function (s) { services.appendChild(el("option", { value: s.id }, s.name)); });
  $("start-error").textContent = "";
  $("start-empty").hidden = templates.length > 0;
  starter.fill();
  openDialog(dialog);
  $("start-to").focus();
}
function closeStart() {
  var dialog = $("start-dialog");
  closeDialog(dialog);
}
function errorText(data) {
  if (!data || typeof data !== "object") return gettext("The conversation could not be started.");
  var parts = [];
  Object.keys(data).forEach(function (key) {
    var value = data[key];
    (Array.isArray(value) ? value : [value]).forEach(function (v) { if (typeof v === "string") parts.push(v); });
  });
  return parts.join(" ") || gettext("The conversation could not be started.");
}
function submitStart(e) {
  e.preventDefault();
  var error = $("start-error");
  error.textContent = "";
  var t = starter.chosen();
  if (!$("start-service").value) { error.textContent = gettext("You serve no service: an administrator adds you to one."); return; }
  if (!$("start-to").value.trim()) { error.textContent = gettext("Write the customer's WhatsApp number in international format."); return; }
  if (!t) { error.textContent = gettext("Choose an approved template."); return; }
  var missing = starter.missing();
  if (missing.length) { error.textContent = missingText(missing); return; }
  var button = $("start-send");
  button.disabled = true;
  fetch("/api/v1/conversations/", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
    body: JSON.stringify({
      service: Number($("start-service").value),
      to: $("start-to").value,
      name: $("start-name").value,
      template_id: t.sid,
      template_variables: starter.values(),
    }),
  })
    .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }, function () { return { ok: false, data: null }; }); })
    .then(function (result) {
      button.disabled = false;
      if (!result.ok) { error.textContent = errorText(result.data); return; }
      closeStart();
      $("start-to").value = "";
      $("start-name").value = "";
      starter.reset();
      if (opener) opener(result.data.id);
    }, function () {
      button.disabled = false;
      error.textContent = gettext("OCC could not be reached. Try again.");
    });
}

function init() {
  composer = new Picker("template");
  pickers.push(composer);
  if ($("start-dialog")) {
    starter = new Picker("start-template");
    pickers.push(starter);
    $("start-conversation").addEventListener("click", openStart);
    $("start-cancel").addEventListener("click", closeStart);
    $("start-form").addEventListener("submit", submitStart);
  }
}

export const templatesApi = {
  // The approved templates (from the page, then every snapshot).
  set: function (list) {
    templates = list || [];
    pickers.forEach(function (p) { p.fill(); });
  },
  setAgent: function (value) {
    agent = value;
    var button = $("start-conversation");
    if (button) button.hidden = !(agent && agent.services && agent.services.length);
  },
  count: function () { return templates.length; },
  composer: function () { return composer; },
  missingText: missingText,
  // What a sent template message shows in the history: the text the customer read, and its buttons.
  renderSent: function (node, m) {
    var info = (m.extras && m.extras.template) || null;
    var box = el("div", { class: "body tpl-sent" });
    box.appendChild(el("span", { class: "tpl-name" }, fmt(gettext("Template: %(name)s"), { name: info ? info.name : m.template_id })));
    if (info && info.text) box.appendChild(el("div", { class: "tpl-text" }, info.text));
    node.appendChild(box);
    if (info && info.buttons && info.buttons.length) {
      var buttons = el("div", { class: "tpl-buttons" });
      info.buttons.forEach(function (b) { buttons.appendChild(el("span", { class: "tpl-button" }, b)); });
      node.appendChild(buttons);
    }
  },
  // What opens a conversation just started (the desk's `open`).
  onStarted: function (fn) { opener = fn; },
};
init();
