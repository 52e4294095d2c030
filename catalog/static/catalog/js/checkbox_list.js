// Filter a long checkbox list as the editor types; "ho tich" matches "Hộ tịch".
(function () {
  "use strict";
  function fold(text) {
    return text
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d")
      .replace(/Đ/g, "D")
      .toLowerCase()
      .trim();
  }
  function setUp(box) {
    if (box.dataset.filterReady) return;
    box.dataset.filterReady = "1";
    var input = box.querySelector("[data-filter-input]");
    var count = box.querySelector("[data-filter-count]");
    var items = Array.prototype.slice.call(box.querySelectorAll(".catalog-checkbox-list__item"));
    var keys = items.map(function (item) { return fold(item.textContent); });
    function showCount() {
      var ticked = box.querySelectorAll("input[type=checkbox]:checked").length;
      count.textContent = "Đã chọn " + ticked;
    }
    input.addEventListener("input", function () {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      items.forEach(function (item, index) {
        var checkbox = item.querySelector("input");
        var match = words.every(function (word) { return keys[index].indexOf(word) !== -1; });
        item.hidden = !(match || (checkbox && checkbox.checked));
      });
    });
    // Enter in the filter must not submit the page form
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
    box.addEventListener("change", showCount);
    showCount();
  }
  function setUpAll() {
    document.querySelectorAll("[data-catalog-checkbox-filter]").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
})();
