// Actual-run form: show only the parameters of the chosen line (the server refuses the others).
(() => {
  const line = document.getElementById("id_line");
  if (!line) return;
  const groups = document.querySelectorAll("[data-run-line]");
  function show() {
    for (const group of groups) group.hidden = Boolean(line.value) && group.dataset.runLine !== line.value;
  }
  line.addEventListener("change", show);
  show();
})();
