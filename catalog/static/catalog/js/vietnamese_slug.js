// The admin makes a page's slug from its title as the editor types. Its own table lacks most
// Vietnamese letters, so "Sở Văn hóa và Thể thao" showed as "s-van-hoa-va-th-thao" until the
// server corrected it on save. Fold the title first (drop tone marks, đ -> d), the same way the
// server does (catalog.text.fold), so what the editor sees is what is saved.
(function () {
  "use strict";

  function fold(text) {
    return text
      .normalize("NFC")
      .replace(/đ/g, "d")
      .replace(/Đ/g, "D")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "");
  }

  function foldForSlug(event) {
    var target = event.target;
    if (!(target instanceof HTMLElement) || !target.matches('[data-controller~="w-slug"]')) {
      return;
    }
    if (event.detail && typeof event.detail.value === "string") {
      event.detail.value = fold(event.detail.value);
    }
  }

  // The title's sync controller dispatches these on the slug input without bubbling; a listener
  // in the capture phase sees them before the slug controller reads the value.
  document.addEventListener("w-sync:check", foldForSlug, true);
  document.addEventListener("w-sync:apply", foldForSlug, true);
})();
