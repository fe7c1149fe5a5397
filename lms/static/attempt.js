/* Save every answer the moment it is given; never lose one.
   Each question saves on its own, one request at a time, with the revision the server last
   confirmed, so a stale tab is told (409) instead of overwriting a newer answer. */
(function () {
  "use strict";
  var root = document.getElementById("attempt");
  var form = document.getElementById("attempt-form");
  if (!root || !form) { return; }
  var csrfInput = form.querySelector("input[name=csrf_token]");
  var csrf = {value: csrfInput ? csrfInput.value : ""};
  var banner = document.getElementById("save-banner");
  var answeredEl = document.getElementById("answered-count");
  var answered = parseInt(root.dataset.answered || "0", 10);
  var pending = 0;
  var failing = {};

  function showBanner(html) {
    banner.innerHTML = html;
    banner.classList.remove("d-none");
  }
  function hideBanner() {
    if (Object.keys(failing).length === 0) { banner.classList.add("d-none"); banner.textContent = ""; }
  }
  function stateOf(box, text, cls) {
    var el = box.querySelector(".save-state");
    el.textContent = text;
    el.className = "small mb-0 mt-2 save-state " + (cls || "");
  }
  function valueOf(box) {
    var type = box.dataset.type;
    if (type === "multiple") {
      return Array.prototype.map.call(box.querySelectorAll("input[type=checkbox]:checked"), function (i) { return i.value; });
    }
    if (type === "matching") {
      var pairs = {};
      box.querySelectorAll("select[data-pair]").forEach(function (s) { if (s.value) { pairs[s.dataset.pair] = s.value; } });
      return pairs;
    }
    if (type === "ordering") {
      var steps = {};
      box.querySelectorAll("select[data-step]").forEach(function (s) { if (s.value) { steps[s.dataset.step] = parseInt(s.value, 10); } });
      return steps;
    }
    if (type === "short" || type === "numerical") {
      return box.querySelector("input[type=text]").value;
    }
    var checked = box.querySelector("input[type=radio]:checked");
    return checked ? checked.value : null;
  }
  function isAnswered(value) {
    if (value === null || value === "") { return false; }
    if (Array.isArray(value)) { return value.length > 0; }
    if (typeof value === "object") { return Object.keys(value).length > 0; }
    return true;
  }
  function setRevision(box, revision) {
    box.dataset.revision = String(revision);
    box.querySelector("input.revision").value = String(revision);
  }
  function countAnswered(box, was, now) {
    if (was !== now) {
      answered += now ? 1 : -1;
      if (answeredEl) { answeredEl.textContent = String(answered); }
    }
  }

  function save(box) {
    if (box.dataset.busy === "1") { box.dataset.again = "1"; return; }
    var value = valueOf(box);
    box.dataset.busy = "1";
    pending += 1;
    stateOf(box, "Menyimpan…", "text-body-secondary");
    fetch(root.dataset.saveUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf.value},
      body: JSON.stringify({question: box.dataset.question, value: value, revision: parseInt(box.dataset.revision, 10)})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) { return {status: response.status, body: body}; });
    }).then(function (result) {
      handle(box, value, result.status, result.body);
    }).catch(function () {
      handle(box, value, 0, {});
    });
  }

  function finish(box) {
    box.dataset.busy = "0";
    pending -= 1;
    if (box.dataset.again === "1") { box.dataset.again = "0"; save(box); }
  }

  function handle(box, value, status, body) {
    var key = box.dataset.question;
    if (status === 200 && body.saved) {
      var was = box.dataset.answered === "1";
      box.dataset.answered = isAnswered(value) ? "1" : "0";
      countAnswered(box, was, box.dataset.answered === "1");
      setRevision(box, body.revision);
      delete failing[key];
      box.dataset.delay = "";
      stateOf(box, "Tersimpan", "text-success");
      hideBanner();
      finish(box);
      return;
    }
    finish(box);
    if (status === 409 && body.error === "stale") {
      setRevision(box, body.revision);
      stateOf(box, "Diubah di tab lain", "text-danger");
      showBanner("Jawaban untuk salah satu soal sudah diubah di tab atau perangkat lain. " +
                 "<a href=\"\" class=\"alert-link\">Muat ulang halaman</a> untuk melihat jawaban terbaru.");
      return;
    }
    if (status === 409 || (status === 403 && body.error === "QuizUnavailable")) {
      showBanner(body.message + " <a class=\"alert-link\" href=\"" + root.dataset.reviewUrl + "\">Lihat hasil</a>");
      return;
    }
    if (status === 401 || (status === 403 && body.error === "password_change_required")) {
      failing[key] = true;
      stateOf(box, "Belum tersimpan", "text-danger");
      showBanner("Sesi Anda berakhir, jadi jawaban terakhir belum tersimpan. " +
                 "<a class=\"alert-link\" target=\"_blank\" rel=\"noopener\" href=\"" + root.dataset.loginUrl +
                 "\">Masuk lagi di tab baru</a>, lalu kembali ke sini: penyimpanan akan dicoba ulang otomatis.");
      retry(box);
      return;
    }
    if (status === 400 || status === 403 || status === 404) {
      stateOf(box, "Tidak tersimpan", "text-danger");
      showBanner(body.message || "Jawaban ditolak oleh server.");
      return;
    }
    failing[key] = true;
    stateOf(box, "Belum tersimpan — mencoba lagi…", "text-danger");
    showBanner("Koneksi terputus: jawaban Anda belum tersimpan. Jangan tutup halaman ini; " +
               "penyimpanan dicoba ulang otomatis.");
    retry(box);
  }

  function retry(box) {
    var delay = Math.min(parseInt(box.dataset.delay || "1000", 10) * 2, 30000);
    box.dataset.delay = String(delay);
    window.setTimeout(function () { save(box); }, delay);
  }

  form.querySelectorAll("fieldset.question").forEach(function (box) {
    box.dataset.answered = isAnswered(valueOf(box)) ? "1" : "0";
    var timer = null;
    box.addEventListener("change", function () { window.clearTimeout(timer); save(box); });
    box.addEventListener("input", function (event) {
      if (event.target.type !== "text") { return; }
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { save(box); }, 800);
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (pending > 0 || Object.keys(failing).length > 0) { event.preventDefault(); event.returnValue = ""; }
  });

  /* The countdown; the server enforces the deadline, this only shows it and hands in on time. */
  var left = root.dataset.secondsLeft === "" ? null : parseInt(root.dataset.secondsLeft, 10);
  var timerEl = document.getElementById("timer");
  var alertEl = document.getElementById("timer-alert");
  var started = Date.now();
  function submitNow() {
    var wait = pending > 0 ? 500 : 0;
    window.setTimeout(function () {
      if (pending > 0) { submitNow(); return; }
      var f = document.createElement("form");
      f.method = "post";
      f.action = root.dataset.submitUrl;
      var t = document.createElement("input");
      t.type = "hidden"; t.name = "csrf_token"; t.value = csrf.value;
      f.appendChild(t);
      document.body.appendChild(f);
      f.submit();
    }, wait);
  }
  if (left !== null && timerEl) {
    var total = left;
    var tick = function () {
      var remaining = Math.max(total - Math.floor((Date.now() - started) / 1000), 0);
      var m = Math.floor(remaining / 60), s = remaining % 60;
      timerEl.textContent = m + ":" + (s < 10 ? "0" : "") + s;
      if (remaining === 300 || remaining === 60) {
        alertEl.textContent = "Sisa waktu " + (remaining / 60) + " menit.";
      }
      if (remaining <= 0) {
        alertEl.textContent = "Waktu habis. Jawaban Anda dikumpulkan.";
        submitNow();
        return;
      }
      window.setTimeout(tick, 1000);
    };
    tick();
  }

  /* Heartbeat: while the page is visible, tell the server every minute that it is in use (the
     session outlives its limits only a few minutes past the last one) and keep the clock honest.
     A hidden page sends none, so a forgotten tab times out like any other page. */
  var lastBeat = Date.now();
  function heartbeat() {
    if (document.visibilityState !== "visible") { return; }
    lastBeat = Date.now();
    fetch(root.dataset.heartbeatUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"Accept": "application/json", "X-CSRFToken": csrf.value}
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (body && body.finished) { window.location = root.dataset.reviewUrl; }
        if (body && body.seconds_left !== null && left !== null) {
          total = body.seconds_left; started = Date.now();
        }
      }).catch(function () { /* offline: the next beat tries again */ });
  }
  window.setInterval(heartbeat, 60000);
  document.addEventListener("visibilitychange", function () {
    if (Date.now() - lastBeat > 30000) { heartbeat(); }
  });
})();
