/* The phone simulator: a customer's WhatsApp, talking to OCC through the sandbox's Twilio. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("phone-config").textContent);
  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  var ticks = { queued: "🕓", sending: "🕓", sent: "✓", delivered: "✓✓", read: "✓✓ read", failed: "✗ failed", undelivered: "✗ undelivered" };
  var lastRendered = "";

  function key() { return $("service").value + "|" + $("customer").value; }
  function head() { $("phone-head").textContent = ($("name").value || $("customer").value) + " → " + ($("service").selectedOptions[0] || {}).textContent; }

  function refresh() {
    var params = new URLSearchParams({ service: $("service").value, customer: $("customer").value });
    fetch(config.messages + "?" + params, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        // The business is writing a reply (Twilio's typing indicator): WhatsApp shows "typing…".
        $("phone-typing").hidden = !data.typing;
        var signature = key() + JSON.stringify(data.messages);
        if (signature === lastRendered) return;
        lastRendered = signature;
        var box = $("phone-messages");
        box.textContent = "";
        data.messages.forEach(function (m) {
          var mine = m.direction === "from_customer";
          var bubble = el("div", { class: "bubble" + (mine ? " mine" : " theirs"), "data-sid": m.sid, "data-status": m.status });
          if (m.body) bubble.appendChild(el("div", { class: "body" }, m.body));
          if (m.buttons && m.buttons.length) bubble.appendChild(quickReplies(m.buttons));
          (m.media || []).forEach(function (media) {
            if (media.url) {
              var link = el("a", { href: media.url, target: "_blank", rel: "noopener" }, "[" + media.url.split("/").pop() + "]");
              bubble.appendChild(link);
            } else {
              bubble.appendChild(el("div", { class: "muted" }, "[" + media.content_type + "]"));
            }
          });
          var when = new Date(m.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
          // The customer's own messages: grey ✓✓ delivered, blue ✓✓ once the business read them.
          var own = m.status === "read" ? "✓✓" : m.status === "delivered" ? "✓✓" : m.status;
          bubble.appendChild(el("div", { class: "meta" + (mine && m.status === "read" ? " read" : "") }, when + " " + (mine ? own : "· " + (ticks[m.status] || m.status))));
          if (!mine) bubble.querySelector(".meta").appendChild(el("span", { class: "status", hidden: "" }, m.status));
          box.appendChild(bubble);
        });
        box.scrollTop = box.scrollHeight;
      })
      .catch(function () { /* the server restarts: try again on the next tick */ });
  }

  // A quick-reply message's buttons: pressing one sends its title with its payload, as WhatsApp does.
  function quickReplies(buttons) {
    var row = el("div", { class: "phone-buttons" });
    buttons.forEach(function (b) {
      var button = el("button", { type: "button", class: "phone-button", "data-payload": b.id }, b.title);
      button.addEventListener("click", function () { post(b.title, b.id); });
      row.appendChild(button);
    });
    return row;
  }

  function post(body, payload) {
    $("phone-error").textContent = "";
    var form = new FormData();
    form.append("service", $("service").value);
    form.append("customer", $("customer").value);
    form.append("name", $("name").value);
    form.append("body", body);
    if (payload) form.append("button_payload", payload);
    if (!payload && $("phone-image").files[0]) form.append("image", $("phone-image").files[0]);
    $("phone-send").disabled = true;
    return fetch(config.send, { method: "POST", body: form, headers: { "X-CSRFToken": csrfToken() }, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
      .then(function (result) {
        $("phone-send").disabled = false;
        if (!result.ok) { $("phone-error").textContent = result.data.error; return; }
        if (!payload) { $("phone-body").value = ""; $("phone-image").value = ""; }
        refresh();
      })
      .catch(function () { $("phone-send").disabled = false; });
  }

  // The setup fields are read as they are: Enter in one of them submits nothing.
  $("phone-setup").addEventListener("submit", function (e) { e.preventDefault(); });

  $("phone-compose").addEventListener("submit", function (e) {
    e.preventDefault();
    post($("phone-body").value, "");
  });
  ["service", "customer", "name"].forEach(function (id) {
    $(id).addEventListener("change", function () { head(); lastRendered = ""; refresh(); });
  });
  head();
  refresh();
  setInterval(refresh, 1000);
})();
