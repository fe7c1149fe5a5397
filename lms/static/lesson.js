// Opening a lesson records nothing (a GET changes no data): tell the server it was opened, for
// "Lanjutkan" on the course page. Nothing waits for the answer.
document.querySelectorAll("form[data-viewed]").forEach(function (form) {
  fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin", keepalive: true})
    .catch(function () {});
});
