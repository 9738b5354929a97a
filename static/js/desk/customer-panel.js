/* The customer panel (templates/agents/_customer_panel.html): beside the desk's conversation
 * it follows the open conversation; everywhere its form saves in place.
 *
 * The desk announces the conversation it shows with the `occ:conversation` event
 * (static/js/desk/desk.js); the panel is server-rendered HTML fetched from
 * /desk/contacts/<id>/panel/.
 */
import { csrfToken } from "../lib/dom.js";
import { gettext } from "../lib/i18n.js";


function container() {
  return document.getElementById("customer-panel");
}
function show(html) {
  var box = container() || (document.getElementById("customer-panel-body") || {}).parentNode;
  if (!box) return;
  box.innerHTML = html; // our own template, escaped by Django
  box.hidden = false;
}
var current = null;

function load(contactId, interactionId) {
  current = contactId + ":" + interactionId;
  var asked = current;
  fetch("/desk/contacts/" + contactId + "/panel/?interaction=" + interactionId, { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
    .then(function (html) { if (asked === current) show(html); })
    .catch(function () { if (asked === current) show('<p class="muted">' + gettext("The customer panel could not be loaded.") + "</p>"); });
}

document.addEventListener("occ:conversation", function (e) {
  var data = e.detail || {};
  if (!data.interaction || !data.interaction.contact) return;
  load(data.interaction.contact.id, data.interaction.id);
});
document.addEventListener("occ:conversation-closed", function () {
  current = null;
  var box = container();
  if (box) { box.hidden = true; box.textContent = ""; }
});

// Save in place: the answer is the panel again (with the errors, or "Saved.").
document.addEventListener("submit", function (e) {
  var form = e.target;
  if (!form || form.id !== "contact-form") return;
  e.preventDefault();
  var button = form.querySelector("button[type=submit]");
  if (button) button.disabled = true;
  fetch(form.action, {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken(), "X-OCC-Fragment": "1" },
    body: new FormData(form),
  })
    .then(function (r) { return r.text(); })
    .then(function (html) {
      show(html);
      var title = document.getElementById("contact-title");
      var name = document.querySelector("#contact-form input[name=name]");
      if (title && name) title.textContent = name.value || title.textContent;
    })
    .catch(function () { if (button) button.disabled = false; });
});
