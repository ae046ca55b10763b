// Import pages. No inline scripts: the CSP forbids them.

// A running import: poll its status, show the rows processed, reload when it ends.
document.querySelectorAll("[data-import-status]").forEach((box) => {
  const bar = box.querySelector("progress");
  const text = box.querySelector("[data-progress-text]");
  const stage = box.querySelector("[data-stage]");
  const template = text.dataset.template || text.textContent;
  const poll = async () => {
    let status;
    try {
      const response = await fetch(box.dataset.importStatus, { headers: { Accept: "application/json" } });
      status = await response.json();
    } catch {
      setTimeout(poll, 3000); // a network hiccup: try again a little later
      return;
    }
    if (!status.active) {
      window.location.reload();
      return;
    }
    bar.max = Math.max(status.total, 1);
    bar.value = status.processed;
    stage.textContent = status.stage || status.status_label;
    text.textContent = template.replace(/\d+\s*\/\s*\d+/, `${status.processed} / ${status.total}`);
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
});

// The upload form: a file over the limit is refused before it is sent.
document.querySelectorAll("input[type=file][data-max-bytes]").forEach((input) => {
  input.addEventListener("change", () => {
    const file = input.files[0];
    const tooBig = file && file.size > Number(input.dataset.maxBytes);
    input.setCustomValidity(tooBig ? input.dataset.tooBig : "");
    if (tooBig) input.reportValidity();
  });
});
