/* Copy buttons: <button data-copy="ID" hidden> copies the value of input #ID. Without JavaScript the
   button stays hidden and the read-only field still shows the address to copy by hand. */
(function () {
  "use strict";
  var status = document.getElementById("copy-status");
  function done(button, text) {
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    button.textContent = text;
    if (status) { status.textContent = text; }
    window.setTimeout(function () { button.textContent = label; }, 2000);
  }
  function fallback(input, button) {
    input.focus();
    input.select();
    try {
      done(button, document.execCommand("copy") ? "Tersalin" : "Tekan lama untuk menyalin");
    } catch (e) {
      done(button, "Tekan lama untuk menyalin");
    }
  }
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(function () { done(button, "Tersalin"); },
                                                        function () { fallback(input, button); });
      } else {
        fallback(input, button);
      }
    });
  });
})();
