/* Data protection: erasing a contact asks first, in a styled dialog (no window.confirm). */
(function () {
  "use strict";
  var button = document.getElementById("erase-contact");
  var dialog = document.getElementById("erase-dialog");
  var form = document.getElementById("erase-form");
  if (!button || !dialog || !form) return;
  button.addEventListener("click", function () { dialog.showModal(); });
  dialog.addEventListener("close", function () {
    if (dialog.returnValue === "erase") form.submit();
  });
})();
