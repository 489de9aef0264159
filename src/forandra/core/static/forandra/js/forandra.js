/* Förändra: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // An error summary takes focus on load, so screen-reader and keyboard users hear it first.
    var summary = document.querySelector("[data-autofocus]");
    if (summary) {
      summary.focus();
    }
  });
})();
