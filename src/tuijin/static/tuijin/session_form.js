// 集体学习表单：勾选参加人员（全选 / 按支部全选），并显示已选人数。
(function () {
  const form = document.getElementById("session-form");
  if (!form) return;
  const boxes = () => Array.from(form.querySelectorAll('input[name="attendees"]'));
  const picked = document.getElementById("picked");
  function sync() {
    const all = boxes();
    picked.textContent = all.filter(b => b.checked).length;
    form.querySelectorAll("input[data-group]").forEach(toggle => {
      const group = toggle.dataset.group === "all" ? all : all.filter(b => b.dataset.in === toggle.dataset.group);
      const n = group.filter(b => b.checked).length;
      toggle.checked = group.length > 0 && n === group.length;
      toggle.indeterminate = n > 0 && n < group.length;
    });
  }
  form.addEventListener("change", e => {
    const g = e.target.dataset.group;
    if (g) {
      boxes().filter(b => g === "all" || b.dataset.in === g).forEach(b => { b.checked = e.target.checked; });
    }
    sync();
  });
  sync();
})();
