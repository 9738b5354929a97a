/*! OCC website widget: takes visitors to WhatsApp by QR code or a click.
 * Embed: <script src="https://<occ host>/widget/embed.js" data-occ-widget="<key>" async></script>
 * Plain JavaScript, no dependencies, no cookies. Everything it draws lives in
 * a shadow root, so the host page's styles and ours never meet. Any failure
 * (unknown widget, website not allowed, network) draws nothing and throws nothing.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch || !window.URL || !Element.prototype.attachShadow) return;
  var key = script.getAttribute("data-occ-widget");
  if (!key || !/^[A-Za-z0-9_-]{1,64}$/.test(key)) return;
  var marker = "occ-widget-" + key;

  function css(colour, left) {
    var side = left ? "left" : "right";
    return (
    // !important: for the host element itself, the page's !important rules
    // would otherwise win over ours (and be inherited by everything inside).
    ":host{all:initial!important;position:fixed!important;right:20px!important;bottom:20px!important;" +
    "z-index:2147483000!important;display:block!important;" +
    (left ? "left:20px!important;right:auto!important;" : "") +
    "font:15px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif!important;color:#1d2330!important}" +
    "*{box-sizing:border-box}" +
    ".launcher{display:flex;align-items:center;gap:8px;border:0;border-radius:28px;padding:12px 18px;" +
    "background:" + colour + ";color:#fff;font-family:inherit;font-size:15px;font-weight:600;line-height:1;cursor:pointer;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.25)}" +
    // A two-tone ring (dark outline, white halo) is visible on any page colour and on ours.
    ".launcher:focus-visible,.channel:focus-visible,.close:focus-visible{outline:3px solid #1d2330;outline-offset:2px;" +
    "box-shadow:0 0 0 5px #fff}" +
    ".launcher svg{width:22px;height:22px;fill:currentColor}" +
    // The panel never grows past the viewport: at 200 % zoom it scrolls, title and Close first.
    ".panel{position:absolute;" + side + ":0;bottom:64px;width:300px;max-width:calc(100vw - 40px);background:#fff;" +
    "max-height:calc(100vh - 104px);overflow-y:auto;" +
    "border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);padding:16px;text-align:center}" +
    ".panel[hidden]{display:none}" +
    ".head{display:flex;justify-content:space-between;align-items:center;gap:8px;margin-bottom:8px;text-align:left}" +
    ".title{font-weight:700;font-size:16px;margin:0}" +
    ".close{border:0;background:none;font-size:22px;line-height:1;cursor:pointer;color:#5b6475;padding:2px 6px}" +
    ".qr{display:block;width:200px;height:200px;margin:4px auto;image-rendering:pixelated}" +
    ".hint{color:#5b6475;font-size:13px;margin:4px 0 10px}" +
    ".or{color:#5b6475;font-size:13px;margin:6px 0}" +
    ".channel{display:flex;align-items:center;justify-content:center;gap:8px;text-decoration:none;" +
    "background:" + colour + ";color:#fff;border-radius:8px;padding:10px 12px;font-weight:600}" +
    ".channel svg{width:20px;height:20px;fill:currentColor}" +
    "@media (max-height:520px){.qr{width:128px;height:128px}.panel{bottom:56px;max-height:calc(100vh - 80px)}}" +
    "@media (max-width:480px){:host{" + side + ":12px!important;bottom:12px!important}}"
    );
  }

  var ICON =
    '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 2a10 10 0 0 0-8.6 15.1L2 22l5-1.3A10 10 0 1 0 12 2zm0 18.2a8.2 8.2 0 0 1-4.2-1.1l-.3-.2-3 .8.8-2.9-.2-.3A8.2 8.2 0 1 1 12 20.2zm4.5-6.1c-.2-.1-1.5-.7-1.7-.8-.2-.1-.4-.1-.6.1l-.8 1c-.1.2-.3.2-.5.1a6.7 6.7 0 0 1-3.3-2.9c-.2-.4.2-.4.7-1.3.1-.2 0-.3 0-.4l-.8-1.9c-.2-.5-.4-.4-.6-.4h-.5a1 1 0 0 0-.7.3 3 3 0 0 0-.9 2.2 5.2 5.2 0 0 0 1.1 2.8 11.9 11.9 0 0 0 4.6 4c1.7.7 2.4.8 3.2.7.5-.1 1.5-.6 1.8-1.2.2-.6.2-1.1.1-1.2l-.5-.3z"/></svg>';

  // A phone opens the app through wa.me; a desktop opens WhatsApp Web.
  function isPhone() {
    var data = navigator.userAgentData;
    return Boolean(data && data.mobile) || /Android|iPhone|iPad|iPod|Mobile|Windows Phone/i.test(navigator.userAgent);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var name in attrs) if (Object.prototype.hasOwnProperty.call(attrs, name)) node.setAttribute(name, attrs[name]);
    if (text) node.textContent = text;
    return node;
  }

  function request(url, options) {
    options = options || {};
    options.credentials = "omit";
    options.mode = "cors";
    return fetch(url, options).then(function (response) {
      if (!response.ok) throw new Error("status " + response.status);
      return response.status === 204 ? null : response.json();
    });
  }

  function render(config) {
    var channel = (config.channels || []).filter(function (c) { return c.type === "whatsapp"; })[0];
    if (!channel) return;
    var s = config.strings || {};
    var style = config.style || {};
    // Checked by the server too; never let anything but #rrggbb into the style sheet.
    var colour = /^#[0-9a-fA-F]{6}$/.test(style.colour || "") ? style.colour : "#0f7a43";
    var CSS = css(colour, style.position === "left");
    var phone = isPhone();

    if (document.getElementById(marker)) return; // the snippet was pasted twice
    var host = el("occ-widget", { "data-key": key, id: marker });
    var root = host.attachShadow({ mode: "open" });
    if (root.adoptedStyleSheets !== undefined && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
      // Constructed sheets are not inline <style>: they also work on host
      // pages whose Content Security Policy forbids inline styles.
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.appendChild(el("style", {}, CSS));
    }

    var panelId = "occ-panel";
    var launcher = el("button", { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": panelId, part: "launcher" });
    launcher.innerHTML = ICON;
    launcher.appendChild(el("span", {}, s.launcher || "WhatsApp"));

    var panel = el("div", { class: "panel", id: panelId, role: "dialog", "aria-label": s.title || "WhatsApp", hidden: "" });
    var head = el("div", { class: "head" });
    head.appendChild(el("p", { class: "title" }, s.title || "WhatsApp"));
    var close = el("button", { type: "button", class: "close", "aria-label": s.close || "Close" }, "\u00d7");
    head.appendChild(close);
    panel.appendChild(head);

    var qr = el("img", { class: "qr", alt: "", width: "200", height: "200" });
    var hint = el("p", { class: "hint" }, s.scan || "");
    var link = el("a", { class: "channel", target: "_blank", rel: "noopener noreferrer", "data-channel": "whatsapp" });
    link.innerHTML = ICON;
    var linkText = el("span", {}, phone ? s.open_app || "WhatsApp" : s.open_web || "WhatsApp Web");
    link.appendChild(linkText);
    if (!phone) {
      // A phone cannot scan its own screen: show the code on desktops only.
      panel.appendChild(qr);
      panel.appendChild(hint);
      panel.appendChild(el("p", { class: "or" }, s.or || ""));
    }
    panel.appendChild(link);

    var opened = null;
    function show(ch) {
      qr.src = ch.qr_svg;
      link.href = phone ? ch.app_link : ch.web_link;
      // The accessible name starts with the visible text, so voice control finds it by what it shows.
      link.setAttribute("aria-label", linkText.textContent + " (" + ch.number + ")");
      qr.alt = (s.qr_alt || "QR code (%(number)s)").replace("%(number)s", ch.number);
    }
    show(channel);

    var visitStarted = false;
    function startVisit() {
      if (visitStarted || !config.visits) return;
      visitStarted = true;
      var body = new URLSearchParams();
      body.set("page_url", location.href);
      request(config.visits, { method: "POST", body: body }).then(function (visit) {
        var ch = visit && (visit.channels || [])[0];
        if (ch) { show(ch); opened = visit.opened; }
      }).catch(function () { /* keep the plain channel */ });
    }

    function toggle(open) {
      panel.hidden = !open;
      launcher.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) { startVisit(); close.focus(); } else { launcher.focus(); }
    }
    launcher.addEventListener("click", function () { toggle(panel.hidden); });
    close.addEventListener("click", function () { toggle(false); });
    root.addEventListener("keydown", function (event) { if (event.key === "Escape" && !panel.hidden) toggle(false); });
    link.addEventListener("click", function () {
      if (opened) request(opened, { method: "POST", keepalive: true }).catch(function () {});
    });

    root.appendChild(launcher);
    root.appendChild(panel);
    document.body.appendChild(host);
  }

  function whenBody(callback) {
    if (document.body) callback();
    else document.addEventListener("DOMContentLoaded", callback);
  }

  var configUrl = new URL(encodeURIComponent(key) + "/config.json", script.src).href;
  try {
    request(configUrl).then(function (config) {
      whenBody(function () {
        try { render(config); } catch (e) { /* draw nothing */ }
      });
    }).catch(function () { /* unknown widget or website not allowed: draw nothing */ });
  } catch (e) { /* draw nothing */ }
})();
