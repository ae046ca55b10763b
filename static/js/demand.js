// The magnifier customer picker (demand and plan forms: on the plan form it also refills the
// customer's demands), and removal of unsaved formset rows.
(() => {
  const dialog = document.getElementById("customer-picker");
  const open = document.getElementById("customer-picker-open");
  const query = document.getElementById("customer-picker-q");
  const results = document.getElementById("customer-picker-results");
  const status = document.getElementById("customer-picker-status");
  const hidden = document.querySelector("[data-customer-picker-value]");
  const display = document.getElementById("customer-picker-display");
  const demandSelect = document.querySelector("select[data-demand-select]"); // the plan form's
  let found = new Map();
  let timer = null;
  let asked = 0;

  function fill(customer) {
    hidden.value = customer.id;
    display.value = customer.name;
    for (const dd of document.querySelectorAll("#customer-basic [data-basic]")) {
      dd.textContent = customer[dd.dataset.basic] || "";
    }
    if (demandSelect && customer.demands) {
      // Only the picked customer's demands can be chosen.
      const blank = demandSelect.querySelector('option[value=""]');
      demandSelect.replaceChildren(...(blank ? [blank] : []));
      for (const d of customer.demands) demandSelect.append(new Option(d.name, d.id));
      demandSelect.value = "";
    }
  }

  function show(list) {
    results.replaceChildren();
    found = new Map(list.map((c) => [String(c.id), c]));
    for (const c of list) {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.dataset.customerId = c.id;
      button.textContent = `${c.name}（${c.code}）`;
      li.append(button, " ", Object.assign(document.createElement("span"), { className: "muted", textContent: [c.short_name, c.region].filter(Boolean).join(" · ") }));
      results.append(li);
    }
    status.textContent = list.length ? "" : dialog.dataset.none || "没有找到客户";
  }

  async function search() {
    const term = query.value.trim();
    const n = ++asked;
    const url = `${dialog.dataset.url}?q=${encodeURIComponent(term)}${demandSelect ? "&demands=1" : ""}`;
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (n !== asked) return; // a newer search is on its way
    if (!response.ok) {
      status.textContent = `${response.status}`;
      return;
    }
    show((await response.json()).results);
  }

  if (dialog && open) {
    open.addEventListener("click", () => {
      dialog.showModal();
      query.focus();
      search();
    });
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
      fill(found.get(button.dataset.customerId));
      dialog.close();
    });
  }

  // Rows not yet saved are removed from the page; saved rows use their delete box.
  document.addEventListener("click", (event) => {
    const remove = event.target.closest("[data-formset-remove]");
    if (remove) remove.closest("tr").remove();
  });
})();
