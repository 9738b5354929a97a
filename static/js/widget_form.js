/* Settings → Widget: copy the snippet to the clipboard. */
(function () {
  "use strict";

  var button = document.getElementById("copy-snippet");
  if (!button || !navigator.clipboard) { if (button) button.hidden = true; return; }
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(document.getElementById("widget-snippet").textContent).then(function () {
      button.textContent = button.dataset.copied;
    });
  });
})();
