/* Förändra: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  var STORE = "forandra-survey:";

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null; // storage switched off: the survey still works, it just forgets on reload
    }
  }

  function read(store, key) {
    try {
      return JSON.parse(store.getItem(key)) || {};
    } catch (error) {
      return {};
    }
  }

  // The staff survey is one form in parts. With script, one part shows at a time, and the
  // answers given so far are kept in this browser until the survey is sent.
  function survey(form) {
    var store = storage();
    var key = STORE + form.getAttribute("data-survey");
    var parts = Array.prototype.slice.call(form.querySelectorAll(".survey-part"));
    var saved = store ? read(store, key) : {};
    var answers = saved.answers || {};
    var current = 0;
    var withErrors = form.hasAttribute("data-survey-errors");

    function answered() {
      var count = 0;
      form.querySelectorAll("input[type=radio]:checked").forEach(function (input) {
        if (input.value !== "dk") {
          count += 1;
        }
      });
      return count;
    }

    function save() {
      if (store) {
        try {
          store.setItem(key, JSON.stringify({ answers: answers, part: current }));
        } catch (error) {
          // full or refused: nothing to keep, the form itself still holds the answers
        }
      }
    }

    function show(index, focus) {
      current = Math.max(0, Math.min(parts.length - 1, index));
      parts.forEach(function (part, i) {
        part.hidden = i !== current;
      });
      var counter = form.querySelector("[data-survey-answered-count]");
      if (counter) {
        counter.textContent = String(answered());
      }
      if (focus) {
        parts[current].querySelector("h2").focus();
      }
      save();
    }

    if (!withErrors) {
      Object.keys(answers).forEach(function (name) {
        var field = form.elements.namedItem(name);
        if (!field) {
          return;
        }
        if (field instanceof HTMLSelectElement) {
          field.value = answers[name];
        } else if (field.length !== undefined) {
          Array.prototype.forEach.call(field, function (input) {
            input.checked = input.value === answers[name];
          });
        }
      });
    }
    form.addEventListener("change", function (event) {
      var target = event.target;
      if (target.name && (target.type === "radio" || target.tagName === "SELECT")) {
        answers[target.name] = target.value;
        save();
      }
    });
    if (withErrors || parts.length < 2) {
      return; // an error summary links into every part: show them all
    }
    form.querySelectorAll("[data-survey-nav], [data-survey-back], [data-survey-answered]")
      .forEach(function (element) {
        element.hidden = false;
      });
    form.addEventListener("click", function (event) {
      var button = event.target.closest("[data-survey-next], [data-survey-back]");
      if (button) {
        show(current + (button.hasAttribute("data-survey-next") ? 1 : -1), true);
      }
    });
    show(saved.part || 0, false);
  }

  document.addEventListener("DOMContentLoaded", function () {
    // An error summary takes focus on load, so screen-reader and keyboard users hear it first.
    var summary = document.querySelector("[data-autofocus]");
    if (summary) {
      summary.focus();
    }
    document.querySelectorAll("form[data-survey]").forEach(survey);
    // After a survey is sent, forget the answers this browser kept for it.
    var done = document.querySelector("[data-survey-done]");
    var store = storage();
    if (done && store) {
      var prefix = STORE + done.getAttribute("data-survey-done") + ":";
      Object.keys(store).forEach(function (name) {
        if (name.indexOf(prefix) === 0) {
          store.removeItem(name);
        }
      });
    }
  });
})();
