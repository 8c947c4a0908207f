// A button marked `data-print` prints the page (the information notice); the CSP forbids inline handlers.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});
