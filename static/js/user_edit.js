/* A user's profile: WhatsApp is only possible while Chat is on; the server checks it too. */
(function () {
  "use strict";

  var form = document.getElementById("agent-profile-form");
  if (!form) return;
  var chat = document.getElementById(form.dataset.chatField);
  var whatsapp = document.getElementById(form.dataset.whatsappField);
  if (!chat || !whatsapp) return;
  function sync() {
    if (!chat.checked) { whatsapp.checked = false; }
    whatsapp.disabled = !chat.checked;
  }
  chat.addEventListener("change", sync);
  sync();
})();
