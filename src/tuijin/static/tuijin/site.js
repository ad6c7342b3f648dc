// Behaviour every page shares. The Content-Security-Policy allows no inline script, no inline event
// handler and no style="" attribute, so templates declare what they need with data-* attributes:
//   <form data-confirm="确定…？">   asks before submitting
//   <select data-autosubmit>        submits its form when changed
//   data-tj-width="37"              sets the element's width to 37 %
//   data-tj-left="60"               places it at 60 % from the left
//   data-tj-mark="60"               a 2px time-progress mark centred on 60 %
//   <a data-tj-field="id_x">        (error summary) moves focus to the field id_x
//   <input data-tj-search="/admin3/search/?kind=org" list="pick-org">  a picker: its datalist is
//                                   filled with what the server finds as one types (text only)
// Styles set through element.style (the CSSOM) are not restricted by CSP.
(function () {
  const number = (v) => { const n = parseFloat(v); return Number.isFinite(n) ? Math.min(Math.max(n, 0), 100) : 0; };

  function apply(root) {
    root.querySelectorAll("[data-tj-width]").forEach((el) => { el.style.width = number(el.dataset.tjWidth) + "%"; });
    root.querySelectorAll("[data-tj-left]").forEach((el) => { el.style.left = number(el.dataset.tjLeft) + "%"; });
    root.querySelectorAll("[data-tj-mark]").forEach((el) => { el.style.left = "calc(" + number(el.dataset.tjMark) + "% - 1px)"; });
  }

  document.addEventListener("submit", (e) => {
    const form = e.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) e.preventDefault();
  }, true);
  document.addEventListener("change", (e) => {
    if (e.target.matches("[data-autosubmit]") && e.target.form) e.target.form.requestSubmit();
  });
  apply(document);
  // After a submit with errors (issue 11): focus the first field in error, and let the error summary's
  // links move focus to their field (a fragment link alone only scrolls).
  const focusField = (el) => { el.focus({ preventScroll: true }); el.scrollIntoView({ block: "center" }); };
  const firstBad = document.querySelector("main form [aria-invalid='true'], main form .is-invalid");
  if (firstBad) focusField(firstBad);
  document.addEventListener("click", (e) => {
    const link = e.target.closest("a[data-tj-field]");
    const field = link && document.getElementById(link.dataset.tjField);
    if (field) { e.preventDefault(); focusField(field); }
  });
  // Pickers: search by name as one types; the options are built as DOM text, never as HTML.
  let searchTimer = null;
  document.addEventListener("input", (e) => {
    const input = e.target.closest ? e.target.closest("input[data-tj-search]") : null;
    if (!input) return;
    clearTimeout(searchTimer);
    searchTimer = setTimeout(async () => {
      const q = input.value.trim();
      const list = document.getElementById(input.getAttribute("list"));
      if (!list || !q) return;
      const response = await fetch(input.dataset.tjSearch + "&q=" + encodeURIComponent(q),
                                   { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok || input.value.trim() !== q) return;
      const data = await response.json();
      list.replaceChildren(...data.results.map((r) => {
        const option = document.createElement("option");
        option.value = r.value;
        if (r.label !== r.value) option.textContent = r.label;
        return option;
      }));
      const found = document.getElementById(input.id + "-found");
      if (found) found.textContent = data.results.length ? "找到 " + data.results.length + (data.has_next ? "+" : "") + " 项，用方向键选择" : "没有找到";
    }, 200);
  });
  // A table wider than a phone scrolls inside its box: keyboard users must be able to reach and scroll
  // it, so a box that does overflow becomes focusable (WCAG 2.1.1; axe scrollable-region-focusable).
  const focusableScroll = () => {
    for (const box of document.querySelectorAll(".table-responsive:not([tabindex])")) {
      if (box.scrollWidth > box.clientWidth) box.tabIndex = 0;
    }
  };
  focusableScroll();
  window.addEventListener("resize", focusableScroll);
  // Fragments swapped in by htmx get the same treatment.
  document.addEventListener("htmx:afterSwap", (e) => apply(e.target));
})();
