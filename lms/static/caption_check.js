/* Cek Caption, live: every [data-caption-check] panel checks the text of its source field about a
 * second after each change (POST to data-url as a form, the CSRF token in X-CSRFToken) and shows
 * the server's rendered result. Without script the panel shows what the page rendered. */
(function () {
  "use strict";
  var DELAY = 900;

  function attach(panel) {
    var source = document.getElementById(panel.dataset.source);
    var platform = panel.dataset.platform ? document.getElementById(panel.dataset.platform) : null;
    var result = panel.querySelector("[data-cc-result]");
    var status = panel.querySelector("[data-cc-status]");
    if (!source || !result) { return; }
    var timer = null, sent = null, pending = null;

    function say(text) { if (status) { status.textContent = text; } }

    function run() {
      var body = new URLSearchParams();
      body.set("text", source.value);
      body.set("platform", platform ? platform.value : "instagram");
      body.set("prefix", panel.dataset.prefix || "cc");
      var key = body.toString();
      if (key === sent) { return; }
      if (pending) { pending.abort(); }
      pending = new AbortController();
      say("Memeriksa…");
      result.setAttribute("aria-busy", "true");
      fetch(panel.dataset.url, {
        method: "POST", body: body, signal: pending.signal, credentials: "same-origin",
        headers: {"Accept": "application/json", "X-CSRFToken": panel.dataset.csrf}
      }).then(function (response) {
        if (response.status === 429) {
          say("Terlalu sering diperiksa. Pemeriksaan dilanjutkan sebentar lagi.");
          timer = setTimeout(run, 15000);
          return null;
        }
        return response.json().then(function (data) {
          if (!response.ok) { say(data.message || "Caption tidak dapat diperiksa."); return; }
          sent = key;
          result.innerHTML = data.html;  // rendered and escaped by the server
          var hint = panel.querySelector("[data-cc-hint]");
          if (hint) { hint.hidden = true; }
          say(data.findings.length ? data.findings.length + " temuan." : "Tidak ada temuan.");
        });
      }).finally(function () {
        result.removeAttribute("aria-busy");
      }).catch(function (error) {
        if (error.name !== "AbortError") { say("Pemeriksaan gagal: periksa sambungan, lalu ubah teksnya lagi."); }
      });
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(run, DELAY);
    }

    source.addEventListener("input", later);
    if (platform) { platform.addEventListener("change", later); }
    if (source.value && !result.children.length) { later(); }
  }

  document.querySelectorAll("[data-caption-check]").forEach(attach);
})();
