// Case browser of a med-rewardbench report. Everything shown comes from the JSON blocks of the
// page and is inserted as text (textContent, attribute values), never parsed as HTML.
(function () {
  "use strict";
  var PAGE_SIZE = 20;
  var KIND_TITLES = [
    "Answers as shown (plain task)",
    "Swap task, original order (A = answer 1, B = answer 2)",
    "Swap task, answers exchanged (A = answer 2, B = answer 1)",
  ];
  var data = JSON.parse(document.getElementById("case-data").textContent);
  var images = null; // parsed on first use: the largest block of the page
  var dims = data.dimensions;
  var state = { judge: 0, organ: "", dimension: "", correct: "", status: "", flip: "", search: "", page: 0 };
  var byJudge = {};

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    if (attributes) {
      Object.keys(attributes).forEach(function (key) {
        if (key === "text") node.textContent = attributes[key];
        else if (key === "className") node.className = attributes[key];
        else node.setAttribute(key, attributes[key]);
      });
    }
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) node.appendChild(child);
    });
    return node;
  }

  function image(index) {
    if (images === null) images = JSON.parse(document.getElementById("case-images").textContent);
    return images[index];
  }

  function title(name) {
    var spaced = name.replace(/_/g, " ");
    return spaced.charAt(0).toUpperCase() + spaced.slice(1);
  }

  // Per judge: its presentations grouped by case, with the one accuracy is scored on.
  function index(judge) {
    if (byJudge[judge]) return byJudge[judge];
    var cases = new Map();
    data.verdicts[judge].forEach(function (row) {
      var entry = cases.get(row[0]);
      if (!entry) {
        entry = { caseIndex: row[0], views: [] };
        cases.set(row[0], entry);
      }
      entry.views.push(row);
      if (row[1] === 0) entry.scored = row;
      if (row[1] === 1) entry.original = row;
      if (row[1] === 2) entry.swapped = row;
    });
    var list = Array.from(cases.values());
    list.forEach(function (entry) {
      if (!entry.scored) entry.scored = entry.original || entry.views[0];
      entry.views.sort(function (a, b) { return a[1] - b[1]; });
    });
    list.sort(function (a, b) { return a.caseIndex - b.caseIndex; });
    byJudge[judge] = list;
    return list;
  }

  function dimensionIndices() {
    return state.dimension === "" ? dims.map(function (_, i) { return i; }) : [dims.indexOf(state.dimension)];
  }

  // Which dataset answer (1 or 2) a shown letter names, in a swap task's presentation.
  function underlying(row, position) {
    var pick = row[3].charAt(position);
    if (pick === "-") return 0;
    var first = row[1] === 2 ? 2 : 1;
    return pick === "A" ? first : 3 - first;
  }

  function flipped(entry, position) {
    if (!entry.original || !entry.swapped) return false;
    var a = underlying(entry.original, position);
    var b = underlying(entry.swapped, position);
    return a !== 0 && b !== 0 && a !== b;
  }

  function consistent(entry, position) {
    if (!entry.original || !entry.swapped) return false;
    var a = underlying(entry.original, position);
    return a !== 0 && a === underlying(entry.swapped, position);
  }

  function matches(entry) {
    var row = entry.scored;
    var item = data.cases[entry.caseIndex];
    if (state.organ && item[0] !== state.organ) return false;
    if (state.status && row[4] !== state.status) return false;
    var positions = dimensionIndices();
    if (state.correct) {
      var right = positions.map(function (i) { return row[3].charAt(i) === row[2].charAt(i); });
      if (state.correct === "right" && right.indexOf(false) !== -1) return false;
      if (state.correct === "wrong" && right.indexOf(false) === -1) return false;
    }
    if (state.flip === "flipped" && !positions.some(function (i) { return flipped(entry, i); })) return false;
    if (state.flip === "consistent" && !positions.every(function (i) { return consistent(entry, i); })) return false;
    if (state.search) {
      var needle = state.search.toLowerCase();
      var haystack = [item[1], item[3], item[4], item[5], item[8]].concat(entry.views.map(function (v) { return v[7]; }));
      if (!haystack.some(function (value) { return value && String(value).toLowerCase().indexOf(needle) !== -1; })) {
        return false;
      }
    }
    return true;
  }

  function picksTable(row) {
    var selected = state.dimension;
    var head = el("tr", null, [el("th", { text: "" })].concat(dims.map(function (d) {
      return el("th", { text: title(d), className: d === selected ? "selected" : "" });
    })));
    var experts = el("tr", null, [el("th", { text: "Experts" })].concat(dims.map(function (_, i) {
      return el("td", { text: row[2].charAt(i) });
    })));
    var judge = el("tr", null, [el("th", { text: "Judge" })].concat(dims.map(function (_, i) {
      var pick = row[3].charAt(i);
      var wrong = pick !== row[2].charAt(i);
      var shown = pick === "-" ? "none" : pick;
      return el("td", {
        text: wrong ? "✗ " + shown : shown,
        className: wrong ? "wrong" : "",
        title: wrong ? "disagrees with the experts" : "agrees with the experts",
      });
    })));
    return el("table", { className: "picks" }, [el("thead", null, [head]), el("tbody", null, [experts, judge])]);
  }

  function view(row) {
    var parser = "parse status: " + row[4] + " · method: " + row[5] + (row[6] ? " · parser note: " + row[6] : "");
    var raw = row[7] === null ? "(the raw output was not logged)" : row[7];
    return el("div", { className: "view" }, [
      el("h4", { text: KIND_TITLES[row[1]] }),
      picksTable(row),
      el("p", { className: "parser", text: parser }),
      el("details", { open: "" }, [el("summary", { text: "Judge's raw output" }), el("pre", { className: "raw", text: raw })]),
    ]);
  }

  function thumbnail(item) {
    if (item[6] < 0) return el("div", { className: "no-image", text: "No image: " + (item[7] || "not available") });
    var label = title(item[0]) + " case " + item[1];
    // Pagination bounds the previews decoded at once (a page of cases), so no lazy loading is needed.
    var img = el("img", { alt: "Image of " + label, decoding: "async" });
    img.src = "data:image/jpeg;base64," + image(item[6]);
    var button = el("button", { type: "button", className: "thumb", title: "Enlarge the image" }, [img]);
    button.addEventListener("click", function () {
      var zoom = document.getElementById("zoom");
      document.getElementById("zoom-image").src = img.src;
      document.getElementById("zoom-image").alt = img.alt;
      document.getElementById("zoom-caption").textContent = label;
      zoom.showModal();
    });
    return button;
  }

  function card(entry) {
    var item = data.cases[entry.caseIndex];
    var row = entry.scored;
    var wrong = dims.filter(function (_, i) { return row[3].charAt(i) !== row[2].charAt(i); });
    var badges = [el("span", { className: "badge " + row[4], text: row[4] })];
    if (dims.some(function (_, i) { return flipped(entry, i); })) {
      badges.push(el("span", { className: "badge flipped", text: "flipped with the order" }));
    }
    var header = el("header", null, [
      el("span", { className: "id", text: title(item[0]) + " · question " + item[1] }),
      item[2] ? el("span", { className: "meta", text: "department: " + item[2] }) : null,
      el("span", { className: "meta", text: wrong.length ? "wrong on: " + wrong.join(", ") : "right on all six" }),
    ].concat(badges));
    var texts = [];
    if (item[7]) texts.push(el("p", { className: "case-note", text: "Note: " + item[7] }));
    if (item[3] !== null) {
      texts.push(el("p", { className: "question", text: item[3] }));
      texts.push(el("div", { className: "answers" }, [
        el("div", { className: "answer" }, [el("span", { className: "letter", text: "A · answer 1" }), document.createTextNode(item[4])]),
        el("div", { className: "answer" }, [el("span", { className: "letter", text: "B · answer 2" }), document.createTextNode(item[5])]),
      ]));
    } else if (item[8] !== null) {
      texts.push(el("details", { open: "" }, [
        el("summary", { text: "The prompt as logged (the case's texts could not be read from the data)" }),
        el("pre", { className: "raw", text: item[8] }),
      ]));
    }
    entry.views.forEach(function (v) { texts.push(view(v)); });
    var article = el("article", { className: "case" }, [header, el("div", { className: "case-body" }, [thumbnail(item), el("div", null, texts)])]);
    article.dataset.organ = item[0];
    article.dataset.questionId = item[1];
    article.dataset.status = row[4];
    article.dataset.picks = row[3];
    article.dataset.experts = row[2];
    return article;
  }

  function render() {
    var entries = index(state.judge).filter(matches);
    var pages = Math.max(1, Math.ceil(entries.length / PAGE_SIZE));
    state.page = Math.min(Math.max(0, state.page), pages - 1);
    var shown = entries.slice(state.page * PAGE_SIZE, (state.page + 1) * PAGE_SIZE);
    var list = document.getElementById("case-list");
    list.replaceChildren.apply(list, shown.map(card));
    var total = index(state.judge).length;
    document.getElementById("case-summary").textContent =
      entries.length + " of " + total + " cases match" +
      (entries.length ? "; showing " + (state.page * PAGE_SIZE + 1) + "–" + (state.page * PAGE_SIZE + shown.length) : "");
    document.getElementById("page-info").textContent = "page " + (state.page + 1) + " of " + pages;
    document.getElementById("page-prev").disabled = state.page === 0;
    document.getElementById("page-next").disabled = state.page >= pages - 1;
    var hasSwap = index(state.judge).some(function (entry) { return entry.swapped; });
    document.getElementById("f-flip").disabled = !hasSwap;
    writeHash();
  }

  var FIELDS = ["judge", "organ", "dimension", "correct", "status", "flip", "search", "page"];

  function writeHash() {
    var parts = [];
    FIELDS.forEach(function (key) {
      var value = state[key];
      if (value !== "" && !(key === "page" && value === 0) && !(key === "judge" && value === 0)) {
        parts.push(key + "=" + encodeURIComponent(value));
      }
    });
    var hash = parts.length ? "#" + parts.join("&") : "";
    if (hash !== location.hash) history.replaceState(null, "", hash || location.pathname + location.search);
  }

  function readHash() {
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var at = part.indexOf("=");
      if (at < 0) return;
      var key = part.slice(0, at);
      var value = decodeURIComponent(part.slice(at + 1));
      if (FIELDS.indexOf(key) === -1) return;
      state[key] = key === "judge" || key === "page" ? parseInt(value, 10) || 0 : value;
    });
    if (state.judge >= data.judges.length) state.judge = 0;
  }

  function fill(select, values, labels) {
    values.forEach(function (value, i) { select.appendChild(el("option", { value: String(value), text: labels[i] })); });
  }

  function setup() {
    readHash();
    var judges = document.getElementById("f-judge");
    fill(judges, data.judges.map(function (_, i) { return i; }), data.judges.map(function (j) { return j.label; }));
    var organs = [];
    data.cases.forEach(function (item) { if (organs.indexOf(item[0]) === -1) organs.push(item[0]); });
    fill(document.getElementById("f-organ"), organs, organs.map(title));
    fill(document.getElementById("f-dimension"), dims, dims.map(title));
    var controls = { judge: "f-judge", organ: "f-organ", dimension: "f-dimension", correct: "f-correct", status: "f-status", flip: "f-flip", search: "f-search" };
    Object.keys(controls).forEach(function (key) {
      var control = document.getElementById(controls[key]);
      control.value = String(state[key]);
      control.addEventListener(key === "search" ? "input" : "change", function () {
        state[key] = key === "judge" ? parseInt(control.value, 10) : control.value;
        state.page = 0;
        render();
      });
    });
    document.getElementById("page-prev").addEventListener("click", function () { state.page -= 1; render(); });
    document.getElementById("page-next").addEventListener("click", function () { state.page += 1; render(); });
    document.getElementById("zoom").addEventListener("click", function (event) {
      if (event.target.id === "zoom" || event.target.id === "zoom-image") event.currentTarget.close();
    });
    render();
  }

  if (data.judges.length) setup();
  else document.getElementById("case-summary").textContent = "No cases.";
})();
