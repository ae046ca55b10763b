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

// A form being sent is not sent twice: after the first submission its buttons are disabled
// (the server also answers a create form's second submission with the record already made).
const SUBMIT_BUTTONS = "button:not([type=button]), input[type=submit]";

function setSending(form, sending) {
  if (sending) form.dataset.sending = "true";
  else delete form.dataset.sending;
  for (const button of form.querySelectorAll(SUBMIT_BUTTONS)) button.disabled = sending;
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || form.method.toLowerCase() !== "post") return;
  if (form.dataset.sending) {
    event.preventDefault();
    return;
  }
  form.dataset.sending = "true";
  // Disabled once the browser has taken the form's values (with the clicked button's).
  setTimeout(() => setSending(form, true));
  // A download (PDF, workbook) leaves the page as it is: it may be sent again after a while.
  setTimeout(() => setSending(form, false), 10000);
});

// Back to a page kept in the browser's memory: its forms can be sent again.
window.addEventListener("pageshow", (event) => {
  if (event.persisted) for (const form of document.querySelectorAll("form[data-sending]")) setSending(form, false);
});

// Checkbox lists (archive_site.forms.CheckboxList): the filter box shows only the choices
// whose label holds what was typed; ticked choices stay ticked while hidden.
for (const box of document.querySelectorAll("[data-checklist-filter]")) {
  box.hidden = false;
  box.addEventListener("input", () => {
    const wanted = box.value.trim().toLowerCase();
    const list = box.closest("[data-checklist]");
    for (const label of list.querySelectorAll(".checklist-options label")) {
      const row = label.closest("div") || label;
      row.hidden = wanted !== "" && !label.textContent.toLowerCase().includes(wanted);
    }
  });
}

// The header's menus (<details class="menu">) close when the user clicks elsewhere or presses
// Escape; without this script they open and close by their own title.
document.addEventListener("click", (event) => {
  for (const menu of document.querySelectorAll("details.menu[open]")) {
    if (!menu.contains(event.target)) menu.open = false;
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") for (const menu of document.querySelectorAll("details.menu[open]")) menu.open = false;
});
