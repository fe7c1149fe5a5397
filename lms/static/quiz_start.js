/* The quiz page's start button: with JavaScript, ask for the attempt page in the answer to the
   start itself (one request, not a redirect and a second one: 300 phones start at once).
   attempt.js on that page then puts the attempt's own address in the address bar, so a reload
   opens the attempt instead of posting the form again. Without JavaScript the start redirects. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-inline-start]").forEach(function (form) {
    var flag = document.createElement("input");
    flag.type = "hidden";
    flag.name = "inline";
    flag.value = "1";
    form.appendChild(flag);
  });
})();
