// The review page: the running score follows the chosen levels; a snippet button inserts its text
// into its comment box. Without JavaScript the form saves and the server does both.
(function () {
  "use strict";
  var form = document.querySelector("form[data-rubric]");
  if (!form) { return; }
  var pass = parseInt(form.getAttribute("data-pass"), 10);
  var scoreBox = form.querySelector("[data-score]");
  var verdict = form.querySelector("[data-verdict]");
  var criteria = form.querySelectorAll("fieldset.criterion");
  function update() {
    var points = 0, chosen = 0;
    criteria.forEach(function (set) {
      var picked = set.querySelector("input[type=radio]:checked");
      if (picked) { chosen += 1; points += parseInt(picked.getAttribute("data-points"), 10); }
    });
    scoreBox.textContent = String(points);
    var complete = chosen === criteria.length;
    verdict.textContent = !complete ? "belum semua kriteria dipilih" : (points >= pass ? "Lulus" : "Belum lulus");
    verdict.className = "badge " + (complete && points >= pass ? "text-bg-success" : "text-bg-secondary");
  }
  form.addEventListener("change", function (event) {
    if (event.target.type === "radio") { update(); }
  });
  form.querySelectorAll("button[data-insert]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var box = document.getElementById(button.getAttribute("data-insert"));
      var text = button.getAttribute("data-text");
      box.value = box.value.trim() ? box.value.replace(/\s+$/, "") + "\n" + text : text;
      box.focus();
    });
  });
}());
