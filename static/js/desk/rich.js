/* What a customer's WhatsApp message carries beyond text, shown as what it is.
 *
 * Everything here is the customer's data: it is put in the page as text
 * (textContent), never as markup; files come through OCC's media view, which
 * serves only pictures and sounds inline (agents/file_safety.py), anything else as a
 * download. A location is an address with a link to OpenStreetMap: no map tiles
 * are loaded. A shared contact (vCard) is read on the server into a name and numbers.
 */
import { el } from "../lib/dom.js";
import { gettext } from "../lib/i18n.js";


function number(value) { return typeof value === "number" && isFinite(value) ? value : null; }

// Before the text: the message the customer quoted.
export function quote(node, m) {
  if (!m.extras || !m.extras.reply_to) return;
  var q = m.quoted || { found: false };
  var box = el("blockquote", { class: "extra quote", "data-found": q.found ? "1" : "0" });
  if (q.found) {
    box.appendChild(el("span", { class: "who" }, q.direction === "out" ? gettext("Your reply") : gettext("The customer")));
    box.appendChild(document.createTextNode(q.body || (q.attachments ? gettext("An attachment") : q.template_id ? gettext("A template message") : "")));
  } else {
    box.textContent = gettext("In reply to a message not in OCC");
  }
  node.appendChild(box);
}

export function osmLink(lat, lon) {
  return "https://www.openstreetmap.org/?mlat=" + lat + "&mlon=" + lon + "#map=17/" + lat + "/" + lon;
}

function location(node, loc) {
  var lat = number(loc.latitude), lon = number(loc.longitude);
  var box = el("div", { class: "extra location" });
  var where = [loc.label, loc.address].filter(Boolean).join(" — ");
  box.appendChild(el("strong", null, (where || gettext("Location"))));
  if (lat !== null && lon !== null) {
    box.appendChild(el("div", { class: "muted small" }, lat.toFixed(5) + ", " + lon.toFixed(5)));
    box.appendChild(el("a", { href: osmLink(lat, lon), target: "_blank", rel: "noopener noreferrer" }, gettext("Open the map (OpenStreetMap)")));
  }
  node.appendChild(box);
}

function contactCard(node, url) {
  var card = el("div", { class: "extra vcard" }, gettext("Contact card…"));
  node.appendChild(card);
  fetch(url, { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
    .then(function (data) {
      card.textContent = "";
      (data.contacts || []).forEach(function (c) {
        var one = el("div", { class: "vcard-entry" });
        one.appendChild(el("strong", null, (c.name || gettext("Contact"))));
        (c.numbers || []).forEach(function (n) {
          one.appendChild(el("a", { href: "tel:" + n.replace(/[^+\d]/g, "") }, n));
          one.appendChild(document.createTextNode(" "));
        });
        (c.emails || []).forEach(function (e) { one.appendChild(el("div", { class: "muted small" }, e)); });
        card.appendChild(one);
      });
      if (!card.childNodes.length) card.textContent = gettext("A contact card with nothing OCC can show.");
      card.dispatchEvent(new Event("occ:rendered", { bubbles: true }));
    })
    .catch(function () { card.textContent = gettext("The contact card could not be read."); });
}

function openViewer(url, alt) {
  var dialog = document.getElementById("image-viewer");
  if (!dialog) return;
  var img = dialog.querySelector("img");
  img.src = url;
  img.alt = alt;
  dialog.querySelector("a.viewer-download").href = url + "?download=1";
  dialog.showModal();
}

function attachment(node, m, a, base) {
  var url = base + m.id + "/" + a.index + "/";
  var type = (a.content_type || "").toLowerCase();
  if (m.direction === "in" && /^text\/(x-)?vcard|^text\/directory/.test(type)) return contactCard(node, url + "contact/");
  if (a.inline && type.indexOf("image/") === 0) {
    var sticker = type === "image/webp";
    var alt = a.name || (sticker ? gettext("Sticker") : gettext("Picture from the conversation"));
    var img = el("img", { src: url, alt: alt, loading: "lazy", class: sticker ? "sticker" : "picture" });
    var open = el("button", { type: "button", class: "viewer-open", "aria-label": gettext("Show larger") });
    open.appendChild(img);
    open.addEventListener("click", function () { openViewer(url, alt); });
    img.addEventListener("load", function () { img.dispatchEvent(new Event("occ:rendered", { bubbles: true })); });
    node.appendChild(open);
    return;
  }
  if (a.inline && type.indexOf("audio/") === 0) {
    var audio = el("audio", { controls: "", preload: "metadata", src: url, class: "extra audio" });
    audio.textContent = gettext("Your browser cannot play this recording.");
    node.appendChild(audio);
    node.appendChild(el("a", { href: url + "?download=1", class: "file small", download: "" }, gettext("Download the recording")));
    return;
  }
  if (a.inline && type.indexOf("video/") === 0) {
    node.appendChild(el("video", { controls: "", preload: "metadata", src: url, class: "extra video" }));
    return;
  }
  var what = type === "application/pdf" ? gettext("Download the PDF document") : gettext("Download the file");
  node.appendChild(el("a", { href: url + "?download=1", class: "file", download: "" }, what + (a.name ? " (" + a.name + ")" : "")));
}

// After the text: location, button reply, ad, attachments.
export function render(node, m, base) {
  var extras = m.extras || {};
  if (extras.location) location(node, extras.location);
  if (extras.button) {
    var chip = el("div", { class: "extra button" });
    chip.appendChild(el("span", { class: "muted small" }, gettext("Tapped the button") + " "));
    chip.appendChild(el("span", { class: "button-reply" }, extras.button.text || extras.button.payload || ""));
    node.appendChild(chip);
  }
  if (extras.referral) {
    var ref = extras.referral;
    node.appendChild(el("div", { class: "extra referral" }, gettext("From the ad") + ": " + (ref.headline || ref.body || ref.source_url || ref.source_id || "")));
  }
  (m.attachments || []).forEach(function (a) { attachment(node, m, a, base); });
}

// The list's preview line for a message without text, in words (never a MIME type).
export function preview(m) {
  if (m.body) return m.body;
  var extras = m.extras || {};
  if (extras.location) return ([extras.location.label, extras.location.address].filter(Boolean).join(" — ") || gettext("Location"));
  if (extras.button) return extras.button.text || extras.button.payload || "";
  var a = (m.attachments || [])[0];
  if (a) {
    var type = (a.content_type || "").toLowerCase();
    if (/^text\/(x-)?vcard|^text\/directory/.test(type)) return gettext("Contact");
    if (type === "image/webp") return gettext("Sticker");
    if (type.indexOf("image/") === 0) return gettext("Picture");
    if (type.indexOf("audio/") === 0) return gettext("Recording");
    if (type.indexOf("video/") === 0) return gettext("Video");
    return (a.name || gettext("Document"));
  }
  return m.template_id ? gettext("A template message") : "";
}

export function init() {
  var dialog = document.getElementById("image-viewer");
  if (!dialog) return;
  dialog.querySelector(".viewer-close").addEventListener("click", function () { dialog.close(); });
  dialog.addEventListener("click", function (e) { if (e.target === dialog) dialog.close(); });
}

