/* Settings → Labels and Close reasons: chips in their colours, a live preview, and a styled
 * dialog (never the browser's confirm()) before deleting. */
(function () {
  "use strict";

  // Colours are set through the CSS object model: the Content-Security-Policy allows no style attributes.
  function paint(chip, colour, textColour) {
    chip.style.backgroundColor = colour;
    chip.style.color = textColour || readableOn(colour);
  }
  // Black or white, whichever contrasts more (WCAG), as interactions.models.text_colour_on.
  function channel(v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }
  function luminance(hex) {
    var n = parseInt(hex.slice(1), 16);
    return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
  }
  function readableOn(hex) {
    if (!/^#[0-9a-f]{6}$/i.test(hex || "")) return "#000000";
    var l = luminance(hex);
    return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? "#000000" : "#ffffff";
  }
  document.querySelectorAll(".chip[data-colour]").forEach(function (chip) {
    paint(chip, chip.dataset.colour, chip.dataset.textColour);
  });

  var preview = document.getElementById("label-preview");
  if (preview) {
    var name = document.getElementById("id_name");
    var colour = document.getElementById("id_colour");
    var update = function () {
      preview.textContent = (name.value || "").trim() || preview.textContent;
      if (/^#[0-9a-f]{6}$/i.test(colour.value)) paint(preview, colour.value);
    };
    name.addEventListener("input", update);
    colour.addEventListener("input", update);
  }

  var dialog = document.getElementById("ask-dialog");
  if (dialog) {
    var pending = null;
    document.querySelectorAll("form[data-ask]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.asked === "yes") return;
        event.preventDefault();
        pending = form;
        document.getElementById("ask-dialog-text").textContent = form.dataset.ask;
        dialog.showModal();
        document.getElementById("ask-cancel").focus();
      });
    });
    dialog.addEventListener("close", function () {
      if (dialog.returnValue === "ok" && pending) { pending.dataset.asked = "yes"; pending.submit(); }
      pending = null;
    });
  }
})();
