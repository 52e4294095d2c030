// A date typed in an admin date box: a real one is written dd/mm/yyyy (3/4/2026, 03.04.2026 and
// the ISO 2026-04-03 alike); anything else stays as typed, marked invalid, for the server to name.
(function () {
  "use strict";
  var DAY_FIRST = /^(\d{1,2})[\/.\-](\d{1,2})[\/.\-](\d{4})$/;
  var ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

  function two(number) {
    return (number < 10 ? "0" : "") + number;
  }

  function realDate(year, month, day) {
    var date = new Date(Date.UTC(year, month - 1, day));
    return (
      year >= 1 &&
      date.getUTCFullYear() === year &&
      date.getUTCMonth() === month - 1 &&
      date.getUTCDate() === day
    );
  }

  // "dd/mm/yyyy" for a real date, null for anything else.
  function written(text) {
    var match = DAY_FIRST.exec(text);
    var day, month, year;
    if (match) {
      day = +match[1];
      month = +match[2];
      year = +match[3];
    } else if ((match = ISO.exec(text))) {
      year = +match[1];
      month = +match[2];
      day = +match[3];
    } else {
      return null;
    }
    return realDate(year, month, day) ? two(day) + "/" + two(month) + "/" + year : null;
  }

  function check(input) {
    var text = input.value.trim();
    if (!text) {
      input.removeAttribute("aria-invalid");
      return;
    }
    var date = written(text);
    if (date === null) {
      input.setAttribute("aria-invalid", "true");
      return;
    }
    input.removeAttribute("aria-invalid");
    if (date !== input.value) input.value = date;
  }

  document.addEventListener(
    "focusout",
    function (event) {
      if (event.target.matches && event.target.matches("input[data-typed-date]")) {
        check(event.target);
      }
    },
    true
  );
})();
