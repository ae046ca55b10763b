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

// Run grid: a value outside its limits (data-lower / data-upper) is marked as it is typed;
// the server lists them again before saving.
document.addEventListener("input", (event) => {
  const input = event.target.closest("input[data-limits]");
  if (!input) return;
  const value = input.value === "" ? NaN : Number(input.value);
  const lower = input.dataset.lower === undefined ? -Infinity : Number(input.dataset.lower);
  const upper = input.dataset.upper === undefined ? Infinity : Number(input.dataset.upper);
  input.classList.toggle("out", !Number.isNaN(value) && (value < lower || value > upper));
});
