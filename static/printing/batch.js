// A batch being printed: poll its status, show the sheets done, reload when it ends.
// No inline scripts: the CSP forbids them.
document.querySelectorAll("[data-print-status]").forEach((box) => {
  const bar = box.querySelector("progress");
  const text = box.querySelector("[data-progress-text]");
  const stage = box.querySelector("[data-stage]");
  const template = text.textContent;
  const poll = async () => {
    let status;
    try {
      const response = await fetch(box.dataset.printStatus, { headers: { Accept: "application/json" } });
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
    bar.value = status.done;
    stage.textContent = status.stage || status.status_label;
    text.textContent = template.replace(/\d+\s*\/\s*\d+/, `${status.done} / ${status.total}`);
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
});
