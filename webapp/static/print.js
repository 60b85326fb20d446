// The print button on receipts (inline handlers are blocked by the Content-Security-Policy).
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("print");
  if (button) button.addEventListener("click", () => window.print());
});
