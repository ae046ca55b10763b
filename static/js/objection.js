// Quality objections: customer search fields and several photos with a caption each.
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

// [data-photo-upload]: when files are chosen, show each one's preview with its own
// caption input (name="caption", in file order), replacing the shared caption.
document.querySelectorAll("[data-photo-upload]").forEach((box) => {
  const input = box.querySelector('input[type="file"]');
  const previews = box.querySelector("[data-photo-previews]");
  const shared = box.querySelector("[data-caption-shared]");
  if (!input || !previews) return;
  input.addEventListener("change", () => {
    previews.replaceChildren();
    const files = Array.from(input.files);
    if (shared) {
      shared.hidden = files.length > 1;
      shared.querySelector("input").disabled = files.length > 1;
    }
    if (files.length < 2) return;
    files.forEach((file) => {
      const item = document.createElement("li");
      const img = document.createElement("img");
      img.alt = file.name;
      img.src = URL.createObjectURL(file);
      img.addEventListener("load", () => URL.revokeObjectURL(img.src));
      const caption = document.createElement("input");
      caption.type = "text";
      caption.name = "caption";
      caption.maxLength = 200;
      caption.placeholder = `${previews.dataset.captionLabel}：${file.name}`;
      caption.setAttribute("aria-label", `${previews.dataset.captionLabel} ${file.name}`);
      item.append(img, caption);
      previews.append(item);
    });
  });
});
