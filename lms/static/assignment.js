/* The hand-in page, enhanced: the text and links are autosaved as a draft about 1.5 s after typing
 * stops (POST to data-autosave-url, the CSRF token in the form), naming the version the page saw.
 * Another tab's newer save (409) stops autosaving and shows both texts: the participant keeps
 * theirs (saved over the other, deliberately) or takes the saved one; nothing typed is dropped.
 * Without script the form's buttons save the same fields. */
(function () {
  "use strict";
  var DELAY = 1500;
  var form = document.querySelector("form[data-handin]");
  if (!form || !window.fetch) { return; }
  var version = form.querySelector("[data-version]");
  var state = form.querySelector("[data-save-state]");
  var text = form.querySelector("textarea[name=text]");
  var links = form.querySelector("textarea[name=links]");
  var csrf = form.querySelector("input[name=csrf_token]");
  var timer = null, busy = false, again = false, stopped = false, lastSent = key();

  function key() { return (text ? text.value : "") + "\u0000" + (links ? links.value : ""); }
  function say(message, cls) { if (state) { state.textContent = message; state.className = "small mt-1 mb-2 save-state " + (cls || ""); } }

  function conflict(body) {
    stopped = true;
    say("Belum tersimpan: tugas ini diubah di tab atau perangkat lain.", "text-danger");
    var box = document.createElement("div");
    box.className = "alert alert-warning";
    box.setAttribute("role", "alert");
    var p = document.createElement("p");
    p.textContent = body.message;
    var saved = document.createElement("div");
    saved.className = "submission-text small border rounded p-2 mb-2 bg-body";
    saved.textContent = body.text || "(teks kosong)";
    var keep = document.createElement("button");
    keep.type = "button"; keep.className = "btn btn-sm btn-primary me-2 mb-1"; keep.textContent = "Simpan teks saya";
    var take = document.createElement("button");
    take.type = "button"; take.className = "btn btn-sm btn-outline-secondary mb-1"; take.textContent = "Pakai isian tersimpan";
    keep.addEventListener("click", function () { version.value = String(body.version); stopped = false; box.remove(); save(); });
    take.addEventListener("click", function () {
      if (text) { text.value = body.text || ""; text.dispatchEvent(new Event("input")); }
      if (links) { links.value = body.links || ""; }
      version.value = String(body.version); lastSent = key(); stopped = false; box.remove();
      say("Isian tersimpan ditampilkan.", "text-success");
    });
    box.appendChild(p);
    var label = document.createElement("div");
    label.className = "small fw-semibold"; label.textContent = "Isian yang tersimpan sekarang:";
    box.appendChild(label); box.appendChild(saved); box.appendChild(keep); box.appendChild(take);
    form.insertBefore(box, form.firstChild);
  }

  function save() {
    if (stopped) { return; }
    if (busy) { again = true; return; }
    var sending = key();
    if (sending === lastSent) { return; }
    busy = true;
    var body = new URLSearchParams();
    var token = csrf ? csrf.value : "";  // absent only where CSRF is switched off (tests)
    body.set("csrf_token", token);
    body.set("version", version.value);
    if (text) { body.set("text", text.value); }
    if (links) { body.set("links", links.value); }
    say("Menyimpan…", "text-body-secondary");
    fetch(form.dataset.autosaveUrl, {method: "POST", body: body, credentials: "same-origin",
                                     headers: {"Accept": "application/json", "X-CSRFToken": token}})
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.ok && data.saved) {
            version.value = String(data.version);
            lastSent = sending;
            say("Draf tersimpan " + data.saved_at + ".", "text-success");
          } else if (response.status === 409 && data.error === "conflict") {
            conflict(data);
          } else if (response.status === 401 || response.status === 403) {
            stopped = true;
            say("Sesi Anda berakhir: draf belum tersimpan. Salin teks Anda, masuk lagi, lalu tempel kembali.", "text-danger");
          } else {
            stopped = response.status === 400;
            say((data.message || "Draf belum tersimpan.") + " Tekan Simpan draf untuk mencoba lagi.", "text-danger");
          }
        });
      }, function () {
        say("Tidak tersambung: draf belum tersimpan. Teks tetap di sini; disimpan lagi saat Anda mengetik.", "text-danger");
      }).finally(function () {
        busy = false;
        if (again) { again = false; later(); }
      });
  }

  function later() { clearTimeout(timer); timer = setTimeout(save, DELAY); }
  [text, links].forEach(function (field) { if (field) { field.addEventListener("input", later); } });
  // A button press posts the whole form: no autosave may race it with an older version.
  form.addEventListener("submit", function () { clearTimeout(timer); stopped = true; });
})();
