// Ask before a form with data-confirm is sent; once accepted, send it with confirmed=1.
// Without this script the server answers such a post with its confirm page (lms/confirm.py).
(function () {
  "use strict";
  var dialog = null, pending = null;

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-dialog-question");
    var question = document.createElement("p");
    question.id = "confirm-dialog-question";
    question.className = "fw-semibold mb-2";
    var detail = document.createElement("p");
    detail.className = "confirm-dialog-detail mb-3";
    var buttons = document.createElement("div");
    buttons.className = "d-flex flex-wrap gap-2 justify-content-end";
    var cancel = document.createElement("button");
    cancel.type = "button"; cancel.className = "btn btn-outline-secondary"; cancel.textContent = "Batal";
    var accept = document.createElement("button");
    accept.type = "button"; accept.className = "btn btn-primary"; accept.textContent = "Ya, lanjutkan";
    buttons.append(cancel, accept);
    dialog.append(question, detail, buttons);
    document.body.appendChild(dialog);
    cancel.addEventListener("click", function () { dialog.close("cancel"); });
    accept.addEventListener("click", function () { dialog.close("accept"); });
    dialog.addEventListener("close", function () {
      var job = pending;
      pending = null;
      if (job && dialog.returnValue === "accept") send(job.form, job.submitter);
      else if (job && job.submitter) job.submitter.focus();
    });
  }

  function send(form, submitter) {
    var mark = document.createElement("input");
    mark.type = "hidden"; mark.name = "confirmed"; mark.value = "1";
    form.appendChild(mark);
    if (form.requestSubmit) form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
    else form.submit();
    // A form the page sends with fetch stays on the page: its next submit must ask again.
    window.setTimeout(function () { mark.remove(); }, 0);
  }

  function ask(form, submitter) {
    var question = form.getAttribute("data-confirm");
    var detail = form.getAttribute("data-confirm-detail") || "";
    if (typeof HTMLDialogElement !== "function") {
      if (window.confirm(detail ? question + "\n\n" + detail : question)) send(form, submitter);
      return;
    }
    if (!dialog) build();
    dialog.querySelector("#confirm-dialog-question").textContent = question;
    var line = dialog.querySelector(".confirm-dialog-detail");
    line.textContent = detail;
    line.hidden = !detail;
    pending = {form: form, submitter: submitter};
    dialog.returnValue = "";
    dialog.showModal();
  }

  // Capture phase: the question comes before any handler of the page that would send the form.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) return;
    if (form.querySelector("input[name=confirmed][value='1']")) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    ask(form, event.submitter || null);
  }, true);
}());
