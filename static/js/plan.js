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

// Plan form: a parameter row offers only the parameters set on the row's line (each option's
// data-lines; none: every line). The server refuses the others (PlanParameter.clean).
(() => {
  function offer(lineSelect) {
    const row = lineSelect.closest("tr");
    const parameter = row && row.querySelector("select[name$='-parameter']");
    if (!parameter) return;
    for (const option of parameter.options) {
      const lines = (option.dataset.lines || "").split(" ").filter(Boolean);
      const off = Boolean(lineSelect.value) && lines.length > 0 && !lines.includes(lineSelect.value);
      option.hidden = off;
      option.disabled = off;
    }
    if (parameter.selectedOptions[0] && parameter.selectedOptions[0].disabled) parameter.value = "";
  }
  document.addEventListener("change", (event) => {
    const line = event.target.closest("select[data-parameter-line]");
    if (line) offer(line);
  });
  for (const line of document.querySelectorAll("select[data-parameter-line]")) offer(line);
})();
