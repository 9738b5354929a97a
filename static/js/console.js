/* Every page's small behaviours, as listeners: the Content-Security-Policy allows no inline handlers. */
(function () {
  "use strict";

  // The language menu switches as soon as a language is chosen (a button remains without script).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-submit-on-change]") && select.form) select.form.submit();
  });

  // Forms that undo something ask first: <form data-confirm="Really?">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
})();
