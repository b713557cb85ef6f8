/* Review pages: tooltips, click-through between spans and rows, sortable tables.
   Builds every element with textContent: no page text is ever parsed as HTML. */
(function () {
  "use strict";
  var doc = document, body = doc.body;
  var TABLES = ["numbers", "percentages", "rankings", "projects", "entities"];
  var NOT_IN_TIP = { paragraph: 1, sentence: 1, start: 1, end: 1, text: 1 };
  var tip = doc.getElementById("tip");

  function each(list, fn) { Array.prototype.forEach.call(list, fn); }
  function rowOf(mark) { return doc.getElementById(mark.getAttribute("data-t") + "-" + mark.getAttribute("data-r")); }
  function piecesOf(t, r) { return doc.querySelectorAll('mark[data-t="' + t + '"][data-r="' + r + '"]'); }
  function flash(els) {
    each(els, function (el) { el.classList.remove("flash"); void el.offsetWidth; el.classList.add("flash"); });
  }

  // The title attribute is the no-script fallback; with script, the tooltip replaces it.
  each(doc.querySelectorAll("mark[title]"), function (m) { m.removeAttribute("title"); });

  function showTip(mark) {
    var row = rowOf(mark);
    if (!tip || !row) { return; }
    var table = row.closest("table"), heads = table.tHead.rows[0].cells;
    var t = mark.getAttribute("data-t");
    tip.textContent = "";
    tip.className = "t-" + t;
    var head = doc.createElement("div");
    head.className = "tip-head";
    var cells = {};
    each(heads, function (th, i) { cells[th.getAttribute("data-col")] = row.cells[i] ? row.cells[i].textContent : ""; });
    head.textContent = cells.text || mark.textContent;
    var where = doc.createElement("small");
    where.textContent = t + " #" + mark.getAttribute("data-r") + " · ¶" + (cells.paragraph || "?") + " · sentence " + (cells.sentence || "?");
    head.appendChild(where);
    tip.appendChild(head);
    var dl = doc.createElement("dl");
    each(heads, function (th) {
      var key = th.getAttribute("data-col"), value = cells[key];
      if (!value || NOT_IN_TIP[key]) { return; }
      var dt = doc.createElement("dt"), dd = doc.createElement("dd");
      dt.textContent = key; dd.textContent = value;
      dl.appendChild(dt); dl.appendChild(dd);
    });
    tip.appendChild(dl);
    tip.hidden = false;
    var rect = mark.getBoundingClientRect();
    var left = Math.max(8, Math.min(rect.left + window.scrollX, window.scrollX + doc.documentElement.clientWidth - tip.offsetWidth - 8));
    var top = rect.bottom + window.scrollY + 6;
    if (rect.bottom + tip.offsetHeight + 12 > window.innerHeight && rect.top > tip.offsetHeight + 12) {
      top = rect.top + window.scrollY - tip.offsetHeight - 6;
    }
    tip.style.left = left + "px";
    tip.style.top = top + "px";
  }
  function hideTip() { if (tip) { tip.hidden = true; } }

  var text = doc.querySelector(".article-body");
  if (text) {
    text.addEventListener("mouseover", function (e) {
      var m = e.target.closest ? e.target.closest("mark[data-t]") : null;
      if (m && !body.classList.contains("hide-" + m.getAttribute("data-t"))) { showTip(m); } else { hideTip(); }
    });
    text.addEventListener("mouseleave", hideTip);
    text.addEventListener("click", function (e) {
      var m = e.target.closest ? e.target.closest("mark[data-t]") : null;
      var row = m && rowOf(m);
      if (!row) { return; }
      hideTip();
      row.scrollIntoView({ block: "center", behavior: "smooth" });
      flash([row]);
    });
  }

  // A row of a table: click to see its span in the text.
  each(doc.querySelectorAll("table.data tbody tr[data-r]"), function (row) {
    row.addEventListener("click", function (e) {
      if (e.target.closest && e.target.closest("a")) { return; }
      var t = row.closest("table").getAttribute("data-table");
      var pieces = piecesOf(t, row.getAttribute("data-r"));
      if (!pieces.length) { return; }
      pieces[0].scrollIntoView({ block: "center", behavior: "smooth" });
      flash(pieces);
    });
  });

  // Legend: show or hide one table's highlights, and the labels.
  each(doc.querySelectorAll(".legend input[data-toggle]"), function (box) {
    box.addEventListener("change", function () {
      body.classList.toggle("hide-" + box.getAttribute("data-toggle"), !box.checked);
    });
  });
  var labels = doc.querySelector(".legend input[data-labels]");
  if (labels) {
    labels.addEventListener("change", function () { body.classList.toggle("labels", labels.checked); });
  }

  // Sortable tables: click a header; again to reverse. Empty cells sort last,
  // ties keep the original order.
  function sortBy(th) {
    var table = th.closest("table"), tbody = table.tBodies[0], col = th.cellIndex;
    var numeric = th.classList.contains("n");
    var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    each(th.parentNode.cells, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir);
    var rows = Array.prototype.slice.call(tbody.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].textContent, y = b.cells[col].textContent, c;
      if (x === "" || y === "") {
        c = (x === "") - (y === "");
        return c || (a.getAttribute("data-i") - b.getAttribute("data-i"));
      }
      c = numeric ? parseFloat(x.replace(/,/g, "")) - parseFloat(y.replace(/,/g, "")) : x.localeCompare(y, "zh-CN");
      if (c !== c) { c = 0; }  // NaN
      if (c === 0) { return a.getAttribute("data-i") - b.getAttribute("data-i"); }
      return dir === "ascending" ? c : -c;
    });
    rows.forEach(function (r) { tbody.appendChild(r); });
  }
  each(doc.querySelectorAll("table.data thead th"), function (th) {
    th.tabIndex = 0;
    th.addEventListener("click", function () { sortBy(th); });
    th.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(th); }
    });
  });

  // For tests (headless browser, --dump-dom): what the page shows, counted in the DOM.
  TABLES.forEach(function (t) {
    body.setAttribute("data-marks-" + t, String(doc.querySelectorAll('mark[data-first][data-t="' + t + '"]').length));
    var tbl = doc.querySelector('table.data[data-table="' + t + '"]');
    body.setAttribute("data-rows-" + t, tbl ? String(tbl.tBodies[0].rows.length) : "0");
  });
  if (window.location.hash === "#selftest") {
    var problems = [];
    each(doc.querySelectorAll("table.data"), function (table) {
      var heads = table.tHead.rows[0].cells, name = table.getAttribute("data-table") || "table";
      each(heads, function (th) {
        if (!th.classList.contains("n") || table.tBodies[0].rows.length < 2) { return; }
        sortBy(th); sortBy(th);  // ascending, then descending
        var last = Infinity;
        each(table.tBodies[0].rows, function (r) {
          var v = r.cells[th.cellIndex].textContent;
          if (v === "") { return; }
          v = parseFloat(v.replace(/,/g, ""));
          if (v > last) { problems.push(name + "." + th.getAttribute("data-col")); }
          last = v;
        });
      });
    });
    body.setAttribute("data-selftest", problems.length ? "fail: " + problems.join(" ") : "ok");
  }
  // #show=numbers-3: open on that row's tooltip, scrolled to it; #tip=numbers-3: the
  // same without scrolling (a screenshot of the top of the page).
  var show = /^#(show|tip)=([a-z]+)-(\d+)$/.exec(window.location.hash);
  if (show) {
    var first = doc.querySelector('mark[data-first][data-t="' + show[2] + '"][data-r="' + show[3] + '"]');
    if (first) {
      if (show[1] === "show") { first.scrollIntoView({ block: "center" }); }
      showTip(first);
    }
  }
  body.setAttribute("data-ready", "1");
}());
