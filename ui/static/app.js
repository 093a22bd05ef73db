// scimsim ui: a little progressive enhancement. Every page works without this file: the search
// box is a form GET, Provision is a form GET, Show requests is a link, the journal has a Refresh
// link. With it, results appear as you type, a group's members can be picked in place, Show
// requests toggles without a reload, curl commands get a Copy button, and /requests follows the
// journal live (server-sent events from /requests/events).
"use strict";

(function () {
  function debounce(fn, ms) {
    let t;
    return function () {
      const args = arguments;
      clearTimeout(t);
      t = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  // Search as you type: the server renders the results fragment, the same template as the page.
  function search() {
    const box = document.querySelector("form[data-search] input[name=q]");
    const results = document.getElementById("results");
    if (!box || !results) return;
    let seq = 0;
    const run = debounce(function () {
      const q = box.value;
      const mine = ++seq;
      fetch("/search?q=" + encodeURIComponent(q), { headers: { Accept: "text/html" } })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          if (mine !== seq) return;
          // Keep what was picked while the answer was on its way, if it is still a result.
          const picked = results.querySelector("input[name=pick]:checked");
          const slot = results.querySelector("[data-member-slot]");
          const members = slot ? slot.innerHTML : "";
          results.innerHTML = html;
          if (picked) {
            const again = Array.from(results.querySelectorAll("input[name=pick]")).find(function (r) { return r.value === picked.value; });
            const newSlot = results.querySelector("[data-member-slot]");
            if (again) {
              again.checked = true;
              if (newSlot && again.dataset.group) { newSlot.innerHTML = members; limitMembers(newSlot); }
            }
          }
          const u = new URL(location.href);
          if (q) u.searchParams.set("q", q); else u.searchParams.delete("q");
          u.searchParams.delete("group");
          u.searchParams.delete("member");
          history.replaceState(null, "", u);
        })
        .catch(function () {});
    }, 150);
    box.addEventListener("input", run);
    // A group picked in the results: load its members under the results, to pick up to five.
    results.addEventListener("change", function (ev) {
      const t = ev.target;
      if (t.name !== "pick") return;
      const slot = results.querySelector("[data-member-slot]");
      if (!slot) return;
      if (!t.dataset.group) { slot.innerHTML = ""; return; }
      fetch("/search?group=" + encodeURIComponent(t.dataset.group))
        .then(function (r) { return r.text(); })
        .then(function (html) {
          slot.innerHTML = html;
          // The group is already named by the radio button.
          const hidden = slot.querySelector("input[type=hidden][name=group]");
          if (hidden) hidden.remove();
          limitMembers(slot);
        })
        .catch(function () {});
    });
    limitMembers(document);
  }

  // At most five members: the other boxes are disabled once five are checked.
  function limitMembers(root) {
    root.querySelectorAll("[data-members]").forEach(function (fs) {
      const max = parseInt(fs.dataset.max || "5", 10);
      const boxes = Array.from(fs.querySelectorAll("input[type=checkbox]:not([disabled])"));
      function update() {
        const n = boxes.filter(function (b) { return b.checked; }).length;
        boxes.forEach(function (b) { b.disabled = !b.checked && n >= max; });
      }
      boxes.forEach(function (b) { b.addEventListener("change", update); });
      update();
    });
  }

  // Show requests: open or close every step's requests without a reload.
  function toggleRequests() {
    document.querySelectorAll("[data-toggle-requests]").forEach(function (a) {
      a.setAttribute("role", "button");
      a.addEventListener("click", function (ev) {
        ev.preventDefault();
        const open = a.getAttribute("aria-pressed") !== "true";
        document.querySelectorAll("details.requests").forEach(function (d) { d.open = open; });
        a.setAttribute("aria-pressed", String(open));
        a.textContent = open ? "Hide requests" : "Show requests";
        const u = new URL(location.href);
        if (open) u.searchParams.set("requests", "1"); else u.searchParams.delete("requests");
        history.replaceState(null, "", u);
      });
    });
  }

  function copyButtons(root) {
    if (!navigator.clipboard) return;
    root.querySelectorAll(".curl").forEach(function (c) {
      if (c.querySelector("button.copy")) return;
      const b = document.createElement("button");
      b.type = "button";
      b.className = "copy";
      b.textContent = "Copy";
      b.setAttribute("aria-label", "Copy the curl command");
      b.addEventListener("click", function () {
        navigator.clipboard.writeText(c.querySelector("code").textContent).then(function () {
          b.textContent = "Copied";
          setTimeout(function () { b.textContent = "Copy"; }, 1500);
        });
      });
      c.appendChild(b);
    });
  }

  // The journal, live: each new entry arrives as the server renders it, newest on top.
  function journal() {
    const list = document.querySelector("[data-journal]");
    if (!list || !window.EventSource) return;
    const live = document.querySelector("[data-live]");
    const q = new URLSearchParams();
    if (list.dataset.tenant) q.set("tenant", list.dataset.tenant);
    q.set("after", list.dataset.last || "0");
    const es = new EventSource("/requests/events?" + q.toString());
    let arrived = 0;
    es.addEventListener("open", function () {
      if (live) { live.hidden = false; live.textContent = "Following new requests."; }
    });
    es.addEventListener("entry", function (ev) {
      const tpl = document.createElement("template");
      tpl.innerHTML = ev.data.trim();
      const li = tpl.content.firstElementChild;
      if (!li) return;
      li.classList.add("new");
      list.prepend(li);
      const empty = document.querySelector("[data-journal-empty]");
      if (empty) empty.remove();
      arrived++;
      if (live) live.textContent = arrived + " new request" + (arrived === 1 ? "" : "s") + " since the page loaded.";
    });
    es.addEventListener("reset", function () {
      list.innerHTML = "";
      if (live) live.textContent = "The journal was emptied (the tenant was reset).";
    });
    es.addEventListener("error", function () {
      if (live) { live.hidden = false; live.textContent = "Not following: the page will reconnect."; }
    });
  }

  // Scenarios: filter the table as you type (the form filters on the server without script), and
  // say that a run is under way.
  function scenarios() {
    const box = document.querySelector("form[data-filter] input[name=q]");
    const table = document.querySelector("[data-scenarios]");
    if (box && table) {
      box.addEventListener("input", function () {
        const q = box.value.toLowerCase();
        table.querySelectorAll("tbody tr[data-row]").forEach(function (tr) {
          tr.hidden = q !== "" && tr.dataset.row.indexOf(q) < 0;
        });
      });
    }
    document.querySelectorAll("form[method=post]").forEach(function (f) {
      if (!f.action.match(/\/run$/)) return;
      f.addEventListener("submit", function () {
        const b = f.querySelector("button[type=submit]");
        if (b) { b.disabled = true; b.textContent = "Running…"; }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    search();
    toggleRequests();
    copyButtons(document);
    journal();
    scenarios();
  });
})();
