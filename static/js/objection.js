// Quality objections: customer search fields (the photo upload box is photos.js).
// Loaded by the objection, judgement and statistics pages. No inline scripts (CSP).

// <input data-customer-lookup="/quality/api/customers"> suggests the customers the
// user may see as they type (a <datalist>: code as value, name as label).
document.querySelectorAll("input[data-customer-lookup]").forEach((input, n) => {
  const list = document.createElement("datalist");
  list.id = `customer-lookup-${n}`;
  input.after(list);
  input.setAttribute("list", list.id);
  let timer = null;
  let last = "";
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const term = input.value.trim();
    if (!term || term === last) return;
    timer = setTimeout(async () => {
      last = term;
      const url = `${input.dataset.customerLookup}?q=${encodeURIComponent(term)}`;
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) return;
      const { results } = await response.json();
      list.replaceChildren(
        ...results.map((c) => {
          const option = document.createElement("option");
          option.value = c.code;
          option.label = c.short_name ? `${c.name}（${c.short_name}）` : c.name;
          return option;
        }),
      );
    }, 200);
  });
});
