/* Public site: every feature here also works without this file (forms submit to the server). */
(function () {
  "use strict";

  /* Search suggestions: the ARIA 1.2 combobox pattern over /api/v1/search/suggest/. */
  var comboCount = 0;
  function setupCombo(input) {
    var id = "suggest-" + (++comboCount);
    var list = document.createElement("ul");
    list.id = id;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.getAttribute("data-suggest-label") || "");
    list.hidden = true;
    input.parentNode.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);
    /* How many suggestions there are is said aloud, none included, as GOV.UK's
       accessible-autocomplete does: a polite status, updated once typing pauses. */
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    status.setAttribute("aria-atomic", "true");
    input.parentNode.appendChild(status);
    var items = [], active = -1, timer = null, seq = 0, statusTimer = null, alternate = false;

    function announce(message) {
      clearTimeout(statusTimer);
      statusTimer = setTimeout(function () {
        /* the same words twice are read again only if the text changes: a no-break space */
        alternate = !alternate;
        status.textContent = message + (alternate ? "" : "\u00a0");
      }, 1400);
    }
    function announceCount(count) {
      if (!count) { announce(input.getAttribute("data-no-results") || ""); return; }
      var template = input.getAttribute(count === 1 ? "data-one-result" : "data-results") || "{count}";
      announce(template.replace("{count}", String(count)));
    }
    function close() {
      list.hidden = true; list.textContent = ""; items = []; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      clearTimeout(statusTimer); status.textContent = "";
    }
    function highlight(index) {
      if (active >= 0 && list.children[active]) list.children[active].setAttribute("aria-selected", "false");
      active = index;
      if (active >= 0 && list.children[active]) {
        list.children[active].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", list.children[active].id);
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function go(item) { window.location.href = item.url; }
    function render(data) {
      list.textContent = ""; items = data; active = -1;
      if (!data.length) { close(); announceCount(0); return; }
      data.forEach(function (item, index) {
        var li = document.createElement("li");
        li.id = id + "-" + index;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        /* an official name can run to 1,000 characters: the list shows its start (CSS), the
           whole name stays its accessible name and its tooltip */
        var name = document.createElement("span");
        name.className = "name"; name.textContent = item.name; name.title = item.name;
        li.appendChild(name);
        if (item.elsewhere || item.department) {
          /* the same name at many wards: the department says which one; another province's
             procedure says whose it is instead of where the import filed it */
          var department = document.createElement("span");
          department.className = item.elsewhere ? "department elsewhere" : "department";
          /* its own line under the name: no separator to begin it (an independent check saw
             "· Sở Tư pháp"); the space keeps name and department apart for screen readers */
          department.textContent = " " + (item.elsewhere || item.department);
          li.appendChild(department);
        }
        if (item.code) {
          var code = document.createElement("span");
          /* the space keeps the department and the code apart for screen readers */
          code.className = "code"; code.textContent = " " + item.code;
          li.appendChild(code);
        }
        li.addEventListener("mousedown", function (event) { event.preventDefault(); go(item); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      announceCount(data.length);
    }
    function fetchSuggestions() {
      var text = input.value.trim();
      var longest = Number(input.getAttribute("data-max-length")) || Infinity;
      /* past the limit the API answers 400 and the page searches the first words only */
      if (text.length < 2 || text.length > longest) { close(); return; }
      var mine = ++seq;
      fetch(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(text), {headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          if (mine !== seq || !body) return;
          var data = Array.isArray(body) ? body : (body.items || body.suggestions || []);
          render(data.filter(function (item) { return item && item.url && item.name; }).slice(0, 8));
        })
        .catch(function () { close(); });
    }
    input.addEventListener("input", function () {
      /* the highlighted option was for the words before: Enter now searches the new ones */
      highlight(-1);
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && !items.length) {
        /* after Escape, the arrow opens the list again */
        event.preventDefault(); fetchSuggestions();
      } else if (event.key === "ArrowDown" && items.length) {
        event.preventDefault(); highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp" && items.length) {
        event.preventDefault(); highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault(); go(items[active]);
      } else if (event.key === "Escape" && !list.hidden) {
        /* the first Escape closes the list and keeps the words (Chromium would also empty a
           search box); a late answer must not reopen it. A second Escape clears as usual. */
        event.preventDefault(); clearTimeout(timer); seq++; close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }
  document.querySelectorAll("input[data-suggest]").forEach(setupCombo);

  /* Facet filters apply as soon as one is ticked: the results are swapped in place and focus
     stays on the box just ticked (no page load, so no change of context). */
  var layout = document.querySelector("[data-search-layout]");
  function bindFacets() {
    var form = layout && layout.querySelector("form[data-autosubmit]");
    if (!form) return;
    var apply = form.querySelector("[data-apply]");
    if (apply) apply.hidden = true;
    form.addEventListener("change", function (event) {
      var params = new URLSearchParams(new FormData(form));
      var url = window.location.pathname + "?" + params.toString();
      var name = event.target.name, value = event.target.value;
      fetch(url, {headers: {"Accept": "text/html"}})
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          var next = new DOMParser().parseFromString(html, "text/html").querySelector("[data-search-layout]");
          if (!next) { window.location.href = url; return; }
          layout.innerHTML = next.innerHTML;
          window.history.pushState(null, "", url);
          bindFacets();
          var count = document.getElementById("result-count");
          var announcer = document.querySelector("[data-announce]");
          if (count && announcer) announcer.textContent = count.textContent.trim();
          var box = layout.querySelector("input[name='" + name + "'][value='" + (window.CSS && CSS.escape ? CSS.escape(value) : value) + "']");
          if (box) box.focus();
        })
        .catch(function () { window.location.href = url; });
    });
  }
  bindFacets();
  /* On a phone the filters start folded so the results come first. */
  var toggle = document.querySelector(".facets-toggle");
  if (toggle && window.matchMedia("(max-width: 56rem)").matches) toggle.open = false;
  window.addEventListener("popstate", function () { if (layout) window.location.reload(); });

  /* Dossier cases: show only the case picked, keep it in the address for sharing and printing. */
  document.querySelectorAll("form[data-case-picker]").forEach(function (form) {
    var submit = form.querySelector("[data-case-submit]");
    if (submit) submit.hidden = true;
    form.addEventListener("change", function (event) {
      var chosen = event.target.value;
      document.querySelectorAll("[data-case]").forEach(function (section) {
        section.hidden = Boolean(chosen) && section.getAttribute("data-case") !== chosen;
      });
      var url = new URL(window.location.href);
      if (chosen) url.searchParams.set(event.target.name, chosen); else url.searchParams.delete(event.target.name);
      window.history.replaceState(null, "", url.pathname + url.search + "#h-docs");
      var hidden = document.querySelector("form[data-due] input[name='" + event.target.name + "']");
      if (hidden) hidden.value = chosen;
    });
  });

  /* Print button. */
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  /* Expected result date, by the rules of catalog/services/due_dates.py, with the page's holidays. */
  var dueData = document.getElementById("due-data");
  var dueForm = document.querySelector("form[data-due]");
  if (dueData && dueForm) {
    var data = JSON.parse(dueData.textContent);
    var holidays = {};
    data.holidays.forEach(function (day) { holidays[day] = true; });
    var output = document.getElementById("due-result");
    var iso = function (d) { return d.toISOString().slice(0, 10); };
    var parse = function (text) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
      var d = new Date(text + "T00:00:00Z");
      return isNaN(d.getTime()) || iso(d) !== text ? null : d;
    };
    var addDays = function (d, n) { var r = new Date(d.getTime()); r.setUTCDate(r.getUTCDate() + n); return r; };
    var working = function (d) { var w = d.getUTCDay(); return w !== 0 && w !== 6 && !holidays[iso(d)]; };
    var addWorking = function (d, n) { while (n > 0) { d = addDays(d, 1); if (working(d)) n--; } return d; };
    var nextWorking = function (d) { while (!working(d)) d = addDays(d, 1); return d; };
    var addMonths = function (d, n) {
      var y = d.getUTCFullYear(), m = d.getUTCMonth() + n;
      var last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
      return new Date(Date.UTC(y, m, Math.min(d.getUTCDate(), last)));
    };
    var compute = function (start, method) {
      var v = Math.ceil(method.value - 1e-9);
      if (method.unit === "working_day") return addWorking(start, v);
      if (method.unit === "hour") return addWorking(start, Math.ceil(method.value / 8 - 1e-9));
      if (method.unit === "day") return nextWorking(addDays(start, v));
      if (method.unit === "month") return nextWorking(addMonths(start, v));
      return null;
    };
    var lang = document.documentElement.lang === "en" ? "en-GB" : "vi-VN";
    var show = function (event) {
      var start = parse(dueForm.elements["ngay-nop"].value);
      var method = data.methods[dueForm.elements["cach"].value];
      if (!start || !method) {
        if (event) { event.preventDefault(); output.textContent = output.getAttribute("data-invalid"); }
        return;
      }
      var result = compute(start, method);
      /* Holidays are only known for a window around today; beyond it the server counts. */
      if (!result || iso(start) < data.from || iso(result) > data.to) return;
      if (event) event.preventDefault();
      var text = new Intl.DateTimeFormat(lang, {weekday: "long", day: "2-digit", month: "2-digit", year: "numeric", timeZone: "UTC"}).format(result);
      var parts = output.getAttribute("data-template").split("{date}");
      output.textContent = parts[0];
      var strong = document.createElement("strong");
      var time = document.createElement("time");
      time.setAttribute("datetime", iso(result));
      time.textContent = text;
      strong.appendChild(time);
      output.appendChild(strong);
      if (parts[1]) output.appendChild(document.createTextNode(parts[1]));
    };
    dueForm.addEventListener("submit", show);
    dueForm.addEventListener("change", function () { show(null); });
  }

  /* Search log: opening a result tells the admin's tuning screens that this query was answered.
     A beacon, not a redirect, so result links stay plain; it carries the query only, no id. */
  var results = document.querySelector("ol.results[data-click-log]");
  if (results && navigator.sendBeacon) {
    var logOpened = function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (!link || (event.type === "auxclick" && event.button !== 1)) return;
      var body = new URLSearchParams();
      body.set("q", results.getAttribute("data-query") || "");
      navigator.sendBeacon(results.getAttribute("data-click-log"), body);
    };
    results.addEventListener("click", logOpened);
    results.addEventListener("auxclick", logOpened);
  }
})();
