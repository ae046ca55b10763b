// Small behaviours shared by every page. No inline scripts: the CSP forbids them.
document.addEventListener("click", (event) => {
  // <button data-confirm="..."> asks before submitting (deletes, deactivations).
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});

// Inline formsets: <button data-formset-add="prefix"> appends a row from
// <template data-formset-template="prefix"> and bumps the TOTAL_FORMS count.
document.addEventListener("click", (event) => {
  const add = event.target.closest("[data-formset-add]");
  if (!add) return;
  const prefix = add.dataset.formsetAdd;
  const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
  const template = document.querySelector(`template[data-formset-template="${prefix}"]`);
  const body = document.querySelector(`[data-formset="${prefix}"] tbody`);
  const index = Number(total.value);
  body.insertAdjacentHTML("beforeend", template.innerHTML.replaceAll("__prefix__", index));
  total.value = index + 1;
});

// Inline formsets: rows not yet saved are removed from the page; saved rows use their delete box.
document.addEventListener("click", (event) => {
  const remove = event.target.closest("[data-formset-remove]");
  if (remove) remove.closest("tr").remove();
});
