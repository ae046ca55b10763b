// The one customer picker (customers.forms.CustomerField): a text input that takes a customer's
// code or full name, with suggestions as one types, and the magnifier that opens a search
// dialog (the paper's 放大镜). Picking a customer puts its full name in the input and fires
// `customer-picked` (detail: the customer's basic data, and its demands when the picker was
// asked for them) on the picker, so a form can show the basics or offer the demands.
// No inline scripts (CSP): every picker on a page is found by its data attributes.
(() => {
  const pickers = document.querySelectorAll("[data-customer-picker]");
  if (!pickers.length) return;
  let dialog = null;
  let current = null; // the picker the dialog is choosing for
  let asked = 0;

  async function lookup(picker, term) {
    const demands = picker.hasAttribute("data-demands") ? "&demands=1" : "";
    const url = `${picker.dataset.url}?q=${encodeURIComponent(term)}${demands}`;
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) throw new Error(String(response.status));
    return (await response.json()).results;
  }

  function pick(picker, customer) {
    const input = picker.querySelector("[data-picker-input]");
    input.value = customer.name;
    picker.dispatchEvent(new CustomEvent("customer-picked", { bubbles: true, detail: customer }));
  }

  function buildDialog(picker) {
    dialog = document.createElement("dialog");
    dialog.id = "customer-picker";
    dialog.setAttribute("aria-labelledby", "customer-picker-title");
    const title = Object.assign(document.createElement("h2"), { id: "customer-picker-title" });
    const label = Object.assign(document.createElement("label"), { htmlFor: "customer-picker-q" });
    const query = Object.assign(document.createElement("input"), {
      type: "search",
      id: "customer-picker-q",
      autocomplete: "off",
    });
    const status = Object.assign(document.createElement("p"), { id: "customer-picker-status", className: "muted" });
    status.setAttribute("role", "status");
    const results = Object.assign(document.createElement("ul"), {
      id: "customer-picker-results",
      className: "picker-results",
    });
    const close = Object.assign(document.createElement("button"), {
      type: "button",
      id: "customer-picker-close",
      className: "secondary",
    });
    title.textContent = picker.dataset.title;
    label.textContent = picker.dataset.label;
    close.textContent = picker.dataset.close;
    dialog.append(title, label, query, status, results, close);
    document.body.append(dialog);

    let found = new Map();
    let timer = null;
    async function search() {
      const n = ++asked;
      let list;
      try {
        list = await lookup(current, query.value.trim());
      } catch (error) {
        status.textContent = error.message;
        return;
      }
      if (n !== asked) return; // a newer search is on its way
      found = new Map(list.map((c) => [String(c.id), c]));
      results.replaceChildren(
        ...list.map((c) => {
          const li = document.createElement("li");
          const button = Object.assign(document.createElement("button"), { type: "button", className: "link" });
          button.dataset.customerId = c.id;
          button.textContent = `${c.name}（${c.code}）`;
          const more = Object.assign(document.createElement("span"), { className: "muted" });
          more.textContent = [c.short_name, c.region].filter(Boolean).join(" · ");
          li.append(button, " ", more);
          return li;
        }),
      );
      status.textContent = list.length ? "" : current.dataset.none;
    }
    query.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    query.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault();
    });
    results.addEventListener("click", (event) => {
      const button = event.target.closest("[data-customer-id]");
      if (!button) return;
      pick(current, found.get(button.dataset.customerId));
      dialog.close();
    });
    close.addEventListener("click", () => dialog.close());
    dialog.search = search;
    dialog.query = query;
  }

  pickers.forEach((picker, n) => {
    const input = picker.querySelector("[data-picker-input]");
    const open = picker.querySelector("[data-picker-open]");
    if (open) {
      if (n === 0) open.id = "customer-picker-open";
      open.addEventListener("click", () => {
        if (!dialog) buildDialog(picker);
        current = picker;
        dialog.query.value = "";
        dialog.showModal();
        dialog.query.focus();
        dialog.search();
      });
    }
    // Suggestions while typing: a <datalist> of the matching customers' full names.
    const list = Object.assign(document.createElement("datalist"), { id: `customer-picker-list-${n}` });
    input.after(list);
    input.setAttribute("list", list.id);
    let suggested = new Map();
    let timer = null;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      const term = input.value.trim();
      if (suggested.has(term)) {
        pick(picker, suggested.get(term)); // a suggestion was chosen
        return;
      }
      if (!term) return;
      timer = setTimeout(async () => {
        try {
          const results = await lookup(picker, term);
          suggested = new Map(results.map((c) => [c.name, c]));
          list.replaceChildren(
            ...results.map((c) => Object.assign(document.createElement("option"), { value: c.name, label: c.code })),
          );
        } catch {
          // no suggestions; the form still takes a typed code or full name
        }
      }, 200);
    });
  });

  // A form may show the picked customer's basic data (<dd data-basic="region">) and offer its
  // demands (<select data-demand-select>).
  document.addEventListener("customer-picked", (event) => {
    const customer = event.detail;
    const form = event.target.closest("form") || document;
    for (const dd of form.querySelectorAll("[data-customer-basic] [data-basic]")) {
      dd.textContent = customer[dd.dataset.basic] || "";
    }
    const select = form.querySelector("select[data-demand-select]");
    if (select && customer.demands) {
      const blank = select.querySelector('option[value=""]');
      select.replaceChildren(...(blank ? [blank] : []));
      for (const d of customer.demands) select.append(new Option(d.name, d.id));
      select.value = "";
    }
  });
})();
