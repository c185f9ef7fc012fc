/* Django's admin draws each autocomplete field (ModelAdmin.autocomplete_fields) with select2, whose
   combobox is named only by what is chosen, so nothing until something is (axe's
   aria-input-field-name): the <label> names the hidden <select>, not the box a person reaches with
   the keyboard. Each box is named here by its field's label and then its choice, as the admin draws
   it and when a row is added to an inline, and so is the read-only text box inside it that shows the
   choice. */
(function () {
  "use strict";

  function nameBoxes(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var label = select.id && document.querySelector('label[for="' + select.id + '"]');
      var container = select.nextElementSibling;
      var box = container && container.querySelector(".select2-selection");
      if (!label || !box) {
        return;
      }
      // Its name: the field's label, then what is chosen (select2's own reference, kept).
      label.id = label.id || select.id + "-label";
      var names = (box.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
      if (names.indexOf(label.id) === -1) {
        box.setAttribute("aria-labelledby", [label.id].concat(names).join(" "));
      }
      // And the read-only text box inside it that shows the choice.
      var shown = box.querySelector(".select2-selection__rendered[role=textbox]");
      if (shown && !shown.hasAttribute("aria-labelledby")) {
        shown.setAttribute("aria-labelledby", label.id);
      }
    });
  }

  function start() {
    nameBoxes(document);
    new MutationObserver(function () {
      nameBoxes(document);
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
