/* Progressive enhancements: every page works without this file. No inline script anywhere (strict CSP). */
(function () {
  "use strict";

  // Stage form: show the company fields for stages held in a company, the session field for training stages.
  function syncStageForm(form) {
    const kind = form.querySelector("[name=kind]");
    if (!kind) return;
    const employerKinds = (form.dataset.employerKinds || "").split(",");
    const sessionKinds = (form.dataset.sessionKinds || "").split(",");
    const toggle = (selector, visible) => {
      form.querySelectorAll(selector).forEach((el) => el.classList.toggle("d-none", !visible));
    };
    toggle(".js-employer-fields", employerKinds.includes(kind.value));
    toggle(".js-session-fields", sessionKinds.includes(kind.value));
  }

  // Buttons that need a confirmation carry data-confirm="question".
  document.addEventListener("submit", function (event) {
    const button = event.submitter;
    const message = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // A button with data-print prints the page (the backup codes of the second factor).
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });

  // Attendance sheet: the reason of an absence only shows next to "absence justifiée".
  function syncReason(statusSelect) {
    const reason = document.getElementById("r-" + statusSelect.id.slice(2));
    if (reason) reason.classList.toggle("d-none", statusSelect.value !== "absent_justified");
  }
  function syncReasons(root) {
    root.querySelectorAll("select.sheet-status").forEach(syncReason);
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select.sheet-status")) syncReason(event.target);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    syncReasons(event.detail.target || document);
  });

  // Rupture form: the details of one kind (planned resumption, exit, contract) show only for that kind.
  function syncRuptureForm(form) {
    const chosen = form.querySelector("input[name=kind]:checked");
    form.querySelectorAll("[data-show-for-kind]").forEach(function (el) {
      el.classList.toggle("d-none", !chosen || el.dataset.showForKind !== chosen.value);
    });
  }

  // Wide tables (issue 21): a .table-responsive box that does scroll sideways (a phone, a long column) is made
  // focusable, so that the keyboard scrolls it (RGAA 7.3), named after its table's caption, and gets a visible hint
  // above it; a box that fits gets neither. Checked again when the window is resized and after each htmx swap.
  function markScrollingTables() {
    const hint = document.body.dataset.tableScrollHint;
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      const previous = box.previousElementSibling;
      let note = previous && previous.classList.contains("table-scroll-hint") ? previous : null;
      if (scrolls && !note && hint) {
        note = document.createElement("p");
        note.className = "table-scroll-hint";
        note.textContent = hint;
        box.before(note);
      }
      if (note) note.hidden = !scrolls;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.tabIndex = 0;
        box.dataset.scrollFocus = "added";
        if (!box.hasAttribute("role")) box.setAttribute("role", "region");
        const caption = box.querySelector("caption");
        if (!box.hasAttribute("aria-label") && caption) box.setAttribute("aria-label", caption.textContent.trim());
      } else if (!scrolls && box.dataset.scrollFocus === "added") {
        box.removeAttribute("tabindex");
        delete box.dataset.scrollFocus;
      }
    });
  }
  let resizing = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(markScrollingTables, 150);
  });
  document.addEventListener("htmx:afterSettle", markScrollingTables);

  document.addEventListener("DOMContentLoaded", function () {
    markScrollingTables();
    syncReasons(document);
    document.querySelectorAll("form.js-rupture-form").forEach(function (form) {
      syncRuptureForm(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "kind") syncRuptureForm(form);
      });
    });
    document.querySelectorAll("form.js-stage-form").forEach(function (form) {
      syncStageForm(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "kind") syncStageForm(form);
      });
    });
  });
})();
