// A form is sent once per click, however fast the clicks: a double click on "Lưu nháp" or
// "Lưu và trình" sent the form twice and made two proposals (found by double-clicking on make
// run). The second submit of the same form within a few seconds is dropped; after that (a form
// that answers with a download leaves the page where it was) or when the page is shown again
// from the back-forward cache, the form may be sent again. Forms htmx sends itself are htmx's.
(function () {
  var AGAIN_AFTER_MS = 4000;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) { return; }
    var sent = Number(form.dataset.sentAt || 0);
    if (sent && Date.now() - sent < AGAIN_AFTER_MS) {
      event.preventDefault();
      return;
    }
    form.dataset.sentAt = String(Date.now());
    form.setAttribute("aria-busy", "true");
    // Still here after the pause (a download, a new tab): ready again, and no longer busy.
    window.setTimeout(function () { form.removeAttribute("aria-busy"); }, AGAIN_AFTER_MS);
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sent-at]").forEach(function (form) {
      delete form.dataset.sentAt;
      form.removeAttribute("aria-busy");
    });
  });
})();
