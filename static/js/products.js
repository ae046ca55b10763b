// Parts: the utilization shown as it is typed (the photo upload box is photos.js).
// No inline scripts (CSP).

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
