// Behaviour every page shares. The Content-Security-Policy allows no inline script, no inline event
// handler and no style="" attribute, so templates declare what they need with data-* attributes:
//   <form data-confirm="确定…？">   asks before submitting
//   <select data-autosubmit>        submits its form when changed
//   data-tj-width="37"              sets the element's width to 37 %
//   data-tj-left="60"               places it at 60 % from the left
//   data-tj-mark="60"               a 2px time-progress mark centred on 60 %
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
  // Fragments swapped in by htmx get the same treatment.
  document.addEventListener("htmx:afterSwap", (e) => apply(e.target));
})();
