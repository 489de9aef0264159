/* Swagger UI's copy buttons are icons without a name; give each one as it appears. */
new MutationObserver(() => {
  for (const button of document.querySelectorAll(".copy-to-clipboard > button:not([aria-label])")) {
    button.setAttribute("aria-label", "Copy to the clipboard");
  }
}).observe(document.body, { childList: true, subtree: true });
