// The review report's behaviour: filters, keyboard navigation, the details panel.
// Reads only data-* attributes and sets only textContent, so no corpus text is
// ever parsed as HTML. Each step is linear in the number of marks on the page.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const details = document.getElementById("details");
  const status = document.getElementById("status");
  // Anchors: the first element of each edit or note (those carry an id and data-kind).
  const anchors = Array.from(document.querySelectorAll("main [data-kind]"));
  const parts = Array.from(document.querySelectorAll("main .edit, main .note"));
  const hidden = { pass: new Set(), rule: new Set(), kind: new Set() };
  let visible = anchors;
  let current = null;
  let pinned = false;

  function anchorOf(el) {
    return el.dataset.kind ? el : document.getElementById(el.dataset.ref);
  }

  function shown(anchor) {
    const d = anchor.dataset;
    return !hidden.pass.has(d.pass) && !hidden.rule.has(d.rule) && !hidden.kind.has(d.kind);
  }

  function applyFilters() {
    for (const el of parts) el.classList.toggle("off", !shown(anchorOf(el)));
    visible = anchors.filter(shown);
    if (current && !shown(current)) select(null);
    updateStatus();
  }

  function plural(count, word) {
    return count + " " + word + (count === 1 ? "" : "s");
  }

  function updateStatus() {
    const edits = visible.filter((a) => a.dataset.kind === "edit").length;
    const notes = visible.length - edits;
    const where = current ? (visible.indexOf(current) + 1) + " of " + visible.length + ": " : "";
    const doc = current ? current.closest("article").dataset.doc + ", " : "";
    status.textContent = where + doc + plural(edits, "edit") + " and " + plural(notes, "note") + " shown";
  }

  function show(anchor) {
    const d = anchor.dataset;
    details.replaceChildren();
    details.style.setProperty("--c", getComputedStyle(anchor).getPropertyValue("--c"));
    const title = document.createElement("h3");
    title.textContent = (d.kind === "note" ? "Note: " : "") + d.rule + " (" + d.pass + ")";
    const message = document.createElement("p");
    message.textContent = d.msg;
    const list = document.createElement("dl");
    const rows = d.kind === "note"
      ? [["text", JSON.stringify(d.text)]]
      : [["before", JSON.stringify(d.before)], ["after", JSON.stringify(d.after)]];
    rows.push(["where", "step " + d.step + ", characters " + d.start + "-" + d.end +
      " of that step's input, in " + anchor.closest("article").dataset.doc]);
    for (const [term, value] of rows) {
      const dt = document.createElement("dt");
      const dd = document.createElement("dd");
      dt.textContent = term;
      dd.textContent = value;
      list.append(dt, dd);
    }
    const rule = data.rules[d.rule];
    if (rule) {
      const dt = document.createElement("dt");
      const dd = document.createElement("dd");
      const link = document.createElement("a");
      dt.textContent = "rule";
      link.href = rule.href;
      link.textContent = rule.where;
      dd.append(link);
      list.append(dt, dd);
    }
    const hint = document.createElement("p");
    hint.className = "pinned";
    hint.textContent = pinned ? "Kept open: Esc closes." : "n/p: next/previous, Enter: keep open.";
    details.append(title, message, list, hint);
    details.hidden = false;
  }

  function select(anchor, scroll = true) {
    if (current) current.classList.remove("current");
    current = anchor;
    if (anchor) {
      anchor.classList.add("current");
      anchor.focus({ preventScroll: true });
      if (scroll) anchor.scrollIntoView({ block: "center" });
      show(anchor);
    } else {
      details.hidden = true;
    }
    updateStatus();
  }

  function step(delta) {
    if (!visible.length) return;
    let i = current ? visible.indexOf(current) : -1;
    if (i < 0 && current) {
      // The current mark was filtered out: continue from its place in the page.
      const all = anchors.indexOf(current);
      i = visible.findIndex((a) => anchors.indexOf(a) > all) - (delta > 0 ? 1 : 0);
    }
    i = i < 0 ? (delta > 0 ? 0 : visible.length - 1) : (i + delta + visible.length) % visible.length;
    select(visible[i]);
  }

  document.addEventListener("keydown", (event) => {
    const key = event.key;
    const inside = (selector) => event.target.closest && event.target.closest(selector);
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    // Typing in a field, or Enter on a link or a box, keeps its usual meaning.
    if (key !== "Escape" && inside("textarea, select, input:not([type=checkbox])")) return;
    if (key === "Enter" && inside("a, button, input")) return;
    if (key === "n" || key === "j") step(1);
    else if (key === "p" || key === "k") step(-1);
    else if (key === "Enter" && current) { pinned = true; show(current); }
    else if (key === "Escape") { pinned = false; details.hidden = true; }
    else return;
    event.preventDefault();
  });

  document.addEventListener("focusin", (event) => {
    const el = event.target.closest && event.target.closest("main .edit, main .note");
    if (el && anchorOf(el) !== current) select(anchorOf(el), false);
  });

  document.addEventListener("mouseover", (event) => {
    const el = event.target.closest && event.target.closest("main .edit, main .note");
    if (el && !pinned) show(anchorOf(el));
  });

  document.addEventListener("click", (event) => {
    const el = event.target.closest && event.target.closest("main .edit, main .note");
    if (el) { pinned = true; select(anchorOf(el), false); }
  });

  for (const box of document.querySelectorAll("input[data-filter]")) {
    box.addEventListener("change", () => {
      const set = hidden[box.dataset.filter];
      if (box.checked) set.delete(box.value); else set.add(box.value);
      applyFilters();
    });
  }

  function followHash() {
    const target = location.hash && document.getElementById(location.hash.slice(1));
    if (target && target.dataset.kind) select(target);
  }
  window.addEventListener("hashchange", followHash);
  applyFilters();
  followHash();
  document.documentElement.dataset.ready = String(anchors.length);
})();
