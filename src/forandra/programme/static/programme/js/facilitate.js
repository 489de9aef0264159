/* The facilitator's timer: counts down each second from the seconds the server gave when the
   step region was drawn (data-remaining), while it runs (data-running). Screen readers hear it
   only at whole minutes and at zero, through #timer-announce. The step region may be swapped in
   by the live poll; each new one starts its own count. Without this file the page shows the time
   left as of loading. */
(function () {
  "use strict";

  function clock(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    var hours = Math.floor(minutes / 60);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return hours ? hours + ":" + pad(minutes % 60) + ":" + pad(rest) : pad(minutes) + ":" + pad(rest);
  }

  function announce(timer, seconds) {
    var region = document.getElementById("timer-announce");
    if (!region) {
      return;
    }
    var text = "";
    if (seconds === 0) {
      text = timer.getAttribute("data-done");
    } else if (seconds % 60 === 0) {
      var minutes = seconds / 60;
      text = minutes === 1
        ? timer.getAttribute("data-one-minute")
        : timer.getAttribute("data-minutes").replace("{n}", String(minutes));
    }
    if (text) {
      region.textContent = text;
    }
  }

  function tick() {
    var timer = document.querySelector("[data-timer]");
    if (!timer || timer.getAttribute("data-running") !== "true") {
      return;
    }
    if (timer.forandraLoaded === undefined) {
      timer.forandraLoaded = Date.now();
      timer.forandraShown = null;
    }
    var start = parseInt(timer.getAttribute("data-remaining"), 10) || 0;
    var spent = Math.floor((Date.now() - timer.forandraLoaded) / 1000);
    var left = Math.max(0, start - spent);
    if (left === timer.forandraShown) {
      return;
    }
    var first = timer.forandraShown === null;
    timer.forandraShown = left;
    var display = timer.querySelector("[data-timer-display]");
    if (display) {
      display.textContent = clock(left);
    }
    if (left === 0) {
      var state = timer.querySelector("[data-timer-state]");
      if (state) {
        state.textContent = timer.getAttribute("data-done");
      }
    }
    if (!first) {
      announce(timer, left);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    window.setInterval(tick, 250);
  });
})();
