// Parts: several photos with a caption each, and the utilization shown as it is typed.
// No inline scripts (CSP).
//
// The photo markup follows the defect photos' contract ([data-photo-upload],
// [data-photo-previews], [data-caption-shared]), so one shared script can
// serve both modules once it is moved out of objection.js.

// When several files are chosen, show each one's preview with its own caption
// input (name="caption", in file order) instead of the shared caption.
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

// The part form: net ÷ gross as the user types (the server computes and checks it again).
document.querySelectorAll("[data-utilization-preview]").forEach((out) => {
  const gross = document.getElementById("id_gross_weight");
  const net = document.getElementById("id_net_weight");
  if (!gross || !net) return;
  const show = () => {
    const g = Number.parseFloat(gross.value);
    const n = Number.parseFloat(net.value);
    out.textContent = g > 0 && n > 0 ? `${out.dataset.label}：${((n / g) * 100).toFixed(1)}%` : "";
  };
  gross.addEventListener("input", show);
  net.addEventListener("input", show);
  show();
});
