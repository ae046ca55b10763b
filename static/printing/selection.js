// The part list: tick parts to print their technical sheets in one batch.
// The header box ticks or clears every row of the page; the button waits for a tick.
document.querySelectorAll("[data-select-all]").forEach((all) => {
  const boxes = () => document.querySelectorAll(`input[type=checkbox][name="${all.dataset.selectAll}"]`);
  const button = document.getElementById(all.dataset.button);
  const update = () => {
    const ticked = [...boxes()].filter((b) => b.checked).length;
    if (button) button.disabled = ticked === 0;
    all.checked = ticked > 0 && ticked === boxes().length;
  };
  all.addEventListener("change", () => {
    boxes().forEach((b) => (b.checked = all.checked));
    update();
  });
  boxes().forEach((b) => b.addEventListener("change", update));
  update();
});
