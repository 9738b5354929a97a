/* Every page's small behaviours, as listeners: the Content-Security-Policy allows no inline handlers. */
(function () {
  "use strict";

  // The language menu switches as soon as a language is chosen (a button remains without script).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-submit-on-change]") && select.form) select.form.submit();
  });

  // Forms that undo something ask first, in a styled dialog: <form data-confirm="Really?">.
  // The confirm button says what the form's own button says; Cancel is <meta name="occ-cancel-text">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.dataset || !form.dataset.confirm || form.dataset.confirmed === "1") return;
    event.preventDefault();
    var submitter = event.submitter || form.querySelector("[type=submit]");
    var dialog = document.createElement("dialog");
    dialog.className = "occ-dialog confirm-dialog";
    var box = document.createElement("form");
    box.method = "dialog";
    var question = document.createElement("p");
    question.textContent = form.dataset.confirm;
    var actions = document.createElement("div");
    actions.className = "dialog-actions";
    var cancel = document.createElement("button");
    cancel.value = "cancel";
    var cancelText = document.querySelector('meta[name="occ-cancel-text"]');
    cancel.textContent = (cancelText && cancelText.content) || "Cancel";
    var yes = document.createElement("button");
    yes.value = "yes";
    yes.className = "primary";
    yes.textContent = (submitter && submitter.textContent.trim()) || "OK";
    actions.appendChild(cancel);
    actions.appendChild(yes);
    box.appendChild(question);
    box.appendChild(actions);
    dialog.appendChild(box);
    document.body.appendChild(dialog);
    dialog.addEventListener("close", function () {
      var confirmed = dialog.returnValue === "yes";
      dialog.remove();
      if (!confirmed) return;
      form.dataset.confirmed = "1";
      if (form.requestSubmit) form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
      else form.submit();
    });
    dialog.showModal();
    cancel.focus();
  });

  // The top bar: Menu opens the navigation on narrow screens; one group's menu open at a time,
  // closed by a click elsewhere or Escape (focus goes back to the group's summary).
  var toggle = document.getElementById("nav-toggle");
  var topbar = document.getElementById("topbar");
  if (toggle && topbar) {
    toggle.addEventListener("click", function () {
      var open = topbar.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  var menus = Array.prototype.slice.call(document.querySelectorAll("details.navmenu"));
  menus.forEach(function (menu) {
    menu.addEventListener("toggle", function () {
      if (!menu.open) return;
      menus.forEach(function (other) { if (other !== menu) other.open = false; });
    });
  });
  document.addEventListener("click", function (event) {
    menus.forEach(function (menu) { if (menu.open && !menu.contains(event.target)) menu.open = false; });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    menus.forEach(function (menu) {
      if (!menu.open) return;
      menu.open = false;
      if (menu.contains(document.activeElement)) menu.querySelector("summary").focus();
    });
  });
})();
