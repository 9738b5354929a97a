/* One message of the conversation as the desk shows it (text, template, rich content, status,
 * error), the list's preview line, and the customer's label. Customer data goes in as text. */
import { el } from "../lib/dom.js";
import { gettext, fmt } from "../lib/i18n.js";
import { timeOf } from "../lib/format.js";
import { templatesApi } from "./templates.js";
import * as rich from "./rich.js";

var STATUS = {
  pending: gettext("sending"), queued: gettext("queued"), accepted: gettext("accepted"), scheduled: gettext("scheduled"),
  sending: gettext("sending"), sent: gettext("sent"), delivered: gettext("delivered"), read: gettext("read"),
  failed: gettext("failed"), undelivered: gettext("undelivered"), received: gettext("received"),
};

// A customer with a WhatsApp username may have no number: "@name · +39…", "@name", or the address.
export function contactLabel(c) {
  if (!c.username) return c.address;
  return "@" + c.username + (c.phone ? " · " + c.phone : "");
}
// The list's preview line of a conversation's newest message.
export function previewText(message) {
  var text = message.extras && message.extras.template && !message.body ? message.extras.template.text : rich.preview(message);
  return (message.direction === "out" ? "↩ " : "") + text;
}

export function renderMessage(m, mediaBase) {
  var node = el("div", { class: "msg " + (m.direction === "in" ? "in" : "out"), "data-id": m.id, "data-status": m.status, "data-at": m.created_at || "" });
  rich.quote(node, m);
  if (m.body) node.appendChild(el("div", { class: "body" }, m.body));
  if (m.template_id && !m.body) templatesApi.renderSent(node, m);
  // Location, button reply, ad, pictures with a viewer, recordings, contacts, downloads (desk/rich.js).
  rich.render(node, m, mediaBase);
  var csat = (m.extras || {}).csat;
  if (csat) node.appendChild(el("div", { class: "extra csat" }, csat.score ? fmt(gettext("Satisfaction score: %(score)s of 5"), { score: csat.score }) : gettext("Comment on the satisfaction survey")));
  var meta = el("div", { class: "meta" });
  meta.appendChild(el("span", null, (m.direction === "out" && m.sender_name ? m.sender_name + " · " : "") + timeOf(m.created_at)));
  if (m.direction === "out") {
    var label = STATUS[m.status] || m.status;
    if (m.status === "pending" && m.error_code && m.error_code !== "timeout") label = gettext("retrying");
    meta.appendChild(el("span", { class: "status status-" + m.status }, label));
  }
  node.appendChild(meta);
  if (m.direction === "out" && (m.error_description || m.status === "failed" || m.status === "undelivered")) {
    var err = el("div", { class: "error" });
    err.appendChild(el("div", null, m.error_description || m.error_message || ""));
    if (m.error_action) err.appendChild(el("div", null, gettext("What to do:") + " " + m.error_action));
    node.appendChild(err);
  }
  return node;
}

