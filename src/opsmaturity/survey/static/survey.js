// Progressive enhancement: the pages work without this file.
// - every answer is saved the moment it is given (closing the tab loses nothing);
// - the discipline page adds up the questions and minutes chosen;
// - an error summary takes the focus so screen readers hear it.
(function () {
  "use strict";
  var SECONDS = 20;

  function autosave(form) {
    var url = form.getAttribute("data-autosave");
    var status = document.getElementById("saved");
    var csrf = form.querySelector("input[name=csrf]").value;
    form.addEventListener("change", function (event) {
      var input = event.target;
      var name = input.name || "";
      var sep = name.indexOf(":");
      if (sep < 0) { return; }
      var question = name.slice(sep + 1);
      var body = new URLSearchParams();
      body.set("csrf", csrf);
      body.set("question", question);
      if (name.indexOf("dk:") === 0) {
        if (input.checked) { body.set("dk:" + question, "1"); }
        else {
          var typed = form.querySelector('input[name="q:' + question + '"]');
          if (!typed || !typed.value) { return; }
          body.set("q:" + question, typed.value);
        }
      } else {
        if (!input.value) { return; }
        body.set("q:" + question, input.value);
      }
      fetch(url, { method: "POST", body: body, credentials: "same-origin" }).then(function (r) {
        if (status) { status.textContent = r.ok ? "Saved." : "Not saved: check this answer."; }
        if (r.ok) { counted(question); }
      }).catch(function () {
        if (status) { status.textContent = "Not saved yet (offline?); it will be saved when you go on."; }
      });
    });
  }

  // The progress bar counts an answer the first time one is saved on this page.
  var answered = {};
  function counted(question) {
    var bar = document.querySelector(".progress progress");
    var label = document.getElementById("progress-label");
    if (!bar || answered[question]) { return; }
    answered[question] = true;
    bar.value = Math.min(bar.max, bar.value + 1);
    label.textContent = label.textContent.replace(/\d+ of (\d+) questions answered/, bar.value + " of $1 questions answered");
  }
  function alreadyAnswered(form) {
    form.querySelectorAll("fieldset.question").forEach(function (set) {
      var given = set.querySelector("input:checked") || Array.prototype.some.call(
        set.querySelectorAll("input[type=text]"), function (i) { return i.value !== ""; });
      if (given) {
        var input = set.querySelector("input[name]");
        answered[input.name.slice(input.name.indexOf(":") + 1)] = true;
      }
    });
  }

  function totals() {
    var boxes = document.querySelectorAll("input[name=discipline]");
    var out = document.getElementById("total");
    if (!boxes.length || !out) { return; }
    function update() {
      var n = 0;
      boxes.forEach(function (b) { if (b.checked) { n += parseInt(b.getAttribute("data-questions"), 10); } });
      out.textContent = n ? "You chose " + n + " questions, about " + Math.max(1, Math.ceil(n * SECONDS / 60)) + " minutes." : "Choose at least one part.";
    }
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-autosave]");
    if (form) { alreadyAnswered(form); autosave(form); }
    totals();
    var errors = document.getElementById("errors");
    if (errors) { errors.focus(); }
  });
})();
