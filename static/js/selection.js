// Ticking rows of a list to work on them together (archive_site.bulk). No inline scripts (CSP).
// The header box ticks or clears every row of the page; the buttons named in its
// data-button (ids, space-separated) wait for a tick. Without JS the form works as it is.
document.querySelectorAll("[data-select-all]").forEach((all) => {
  const boxes = () => document.querySelectorAll(`input[type=checkbox][name="${all.dataset.selectAll}"]`);
  const buttons = (all.dataset.button || "").split(" ").map((id) => document.getElementById(id)).filter(Boolean);
  const update = () => {
    const ticked = [...boxes()].filter((b) => b.checked).length;
    buttons.forEach((button) => (button.disabled = ticked === 0));
    all.checked = ticked > 0 && ticked === boxes().length;
  };
  all.addEventListener("change", () => {
    boxes().forEach((b) => (b.checked = all.checked));
    update();
  });
  boxes().forEach((b) => b.addEventListener("change", update));
  update();
});
