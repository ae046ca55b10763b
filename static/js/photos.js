// Photo uploads (defect photos of objections, part photos): several files at once,
// each with its own caption. Loaded by every page with a photo upload box; no
// inline scripts (CSP).
//
// Markup: a [data-photo-upload] box holding the file input, a [data-caption-shared]
// field (one caption for all) and a [data-photo-previews] list whose
// data-caption-label names the caption inputs. When several files are chosen, each
// one's preview is shown with its own caption input (name="caption", in file
// order), replacing the shared caption.
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
      caption.placeholder = `${previews.dataset.captionLabel} · ${file.name}`; // no Chinese colon in the English UI
      caption.setAttribute("aria-label", `${previews.dataset.captionLabel} ${file.name}`);
      item.append(img, caption);
      previews.append(item);
    });
  });
});
