/* The attempt page: pages switched in the browser, and an outbox so that no answer is lost.

   Every answer given goes first into an outbox kept in localStorage (keyed by attempt id), with
   the revision the server last confirmed for that question and a per-question sequence number,
   then to the server, one request per question at a time. An entry leaves the outbox only when
   the server has answered for it: saved (200), refused as stale (409: the server's newer answer
   is shown), or refused for good (attempt ended, bad answer). Network failures, 5xx, an expired
   session or form token keep it; it is sent again on the `online` event and by a retry timer
   with backoff, and after a reload the page restores it into the inputs and sends it.
   Without JavaScript the server pages the attempt and saves on every page switch. */
(function () {
  "use strict";
  var root = document.getElementById("attempt");
  var form = document.getElementById("attempt-form");
  if (!root || !form) { return; }
  var csrfInput = form.querySelector("input[name=csrf_token]");
  var csrf = {value: csrfInput ? csrfInput.value : ""};
  var banner = document.getElementById("save-banner");
  var answeredEl = document.getElementById("answered-count");
  var statusEl = document.getElementById("outbox-status");
  var pageLabel = document.getElementById("page-label");
  var pageInput = form.querySelector("input[name=page]");
  var pages = Array.prototype.slice.call(form.querySelectorAll("fieldset.attempt-page"));
  var boxes = {};
  form.querySelectorAll("fieldset.question").forEach(function (box) { boxes[box.dataset.question] = box; });
  var storeKey = "lms-outbox-" + root.dataset.attempt;
  var current = parseInt(root.dataset.page || "1", 10);
  var lastPage = parseInt(root.dataset.pages || "1", 10);

  /* ---- the outbox: {answers: {question: {value, rev, seq}}, seqs: {question: n}, page: {n, seq}} */
  var memory = null;  // when localStorage is unavailable (private mode, full), the outbox lives here
  function loadOutbox() {
    try {
      var data = JSON.parse(window.localStorage.getItem(storeKey) || "null");
      if (data && typeof data === "object" && data.answers && typeof data.answers === "object") {
        return {answers: data.answers, seqs: data.seqs || {}, page: data.page || null, pageSeq: data.pageSeq || 0};
      }
    } catch (ignored) { /* unreadable: start empty */ }
    return memory || {answers: {}, seqs: {}, page: null, pageSeq: 0};
  }
  var outbox = loadOutbox();
  function waiting() { return Object.keys(outbox.answers).length; }
  function persist() {
    memory = outbox;
    try {
      if (waiting() === 0 && outbox.page === null) { window.localStorage.removeItem(storeKey); }
      else { window.localStorage.setItem(storeKey, JSON.stringify(outbox)); }
    } catch (ignored) { /* kept in memory for this page's life */ }
    showCount();
  }
  function showCount() {
    var n = waiting();
    statusEl.hidden = false;
    statusEl.className = "small mb-0 mt-1 outbox-status " + (n ? "pending" : "clear");
    statusEl.textContent = n ? n + " jawaban belum terkirim — akan dikirim otomatis saat tersambung"
                             : "Semua jawaban tersimpan";
  }

  /* ---- reading and writing a question's controls */
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
  function setValue(box, value) {
    var type = box.dataset.type;
    var given = value && typeof value === "object" ? value : {};
    if (type === "multiple") {
      box.querySelectorAll("input[type=checkbox]").forEach(function (i) { i.checked = Array.isArray(value) && value.indexOf(i.value) >= 0; });
    } else if (type === "matching") {
      box.querySelectorAll("select[data-pair]").forEach(function (s) { s.value = given[s.dataset.pair] || ""; });
    } else if (type === "ordering") {
      box.querySelectorAll("select[data-step]").forEach(function (s) {
        var n = given[s.dataset.step];
        s.value = n === undefined || n === null ? "" : String(n);
      });
    } else if (type === "short" || type === "numerical") {
      box.querySelector("input[type=text]").value = typeof value === "string" ? value : "";
    } else {
      box.querySelectorAll("input[type=radio]").forEach(function (r) { r.checked = r.value === value; });
    }
  }
  function canonical(value) {
    if (Array.isArray(value)) { return JSON.stringify(value.slice().sort()); }
    if (value && typeof value === "object") {
      return JSON.stringify(Object.keys(value).sort().map(function (k) { return [k, value[k]]; }));
    }
    return JSON.stringify(typeof value === "string" ? value.trim() : value === undefined ? null : value);
  }
  function isAnswered(value) {
    if (value === null || value === undefined || value === "") { return false; }
    if (Array.isArray(value)) { return value.length > 0; }
    if (typeof value === "object") { return Object.keys(value).length > 0; }
    return true;
  }
  function countAnswered() {
    if (!answeredEl) { return; }
    var n = 0;
    Object.keys(boxes).forEach(function (q) { if (isAnswered(valueOf(boxes[q]))) { n += 1; } });
    answeredEl.textContent = String(n);
  }
  function setRevision(box, revision) {
    box.dataset.revision = String(revision);
    box.querySelector("input.revision").value = String(revision);
  }
  function stateOf(box, text, cls) {
    var el = box.querySelector(".save-state");
    el.textContent = text;
    el.className = "small mb-0 mt-2 save-state " + (cls || "");
  }

  /* ---- messages */
  var problem = "";  // the kind of trouble the banner shows ("" = none)
  function showBanner(kind, html, cls) {
    problem = kind;
    banner.innerHTML = html;
    banner.className = "alert " + (cls || "alert-danger");
  }
  function clearBanner(kinds) {
    if (kinds.indexOf(problem) >= 0) { problem = ""; banner.className = "alert alert-danger d-none"; banner.textContent = ""; }
  }
  function reviewLink() {
    return " <a class=\"alert-link\" href=\"" + root.dataset.reviewUrl + "\">Lihat hasil</a>";
  }

  /* ---- sending */
  var delay = 0;
  var retryTimer = null;
  var busy = {};
  var positionBusy = false;
  var blocked = false;  // a form token the server no longer accepts: only a reload helps

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf.value},
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) { return {status: response.status, body: json}; });
    }, function () { return {status: 0, body: {}}; });
  }

  function flush() {
    window.clearTimeout(retryTimer);
    retryTimer = null;
    if (blocked) { return; }
    Object.keys(outbox.answers).forEach(send);
    sendPosition();
  }
  function retryLater() {
    if (retryTimer !== null || blocked) { return; }
    delay = Math.min(delay ? delay * 2 : 1000, 30000);
    retryTimer = window.setTimeout(flush, delay);
  }
  function connected() {
    delay = 0;
    clearBanner(["offline", "session"]);
  }

  function send(question) {
    var entry = outbox.answers[question];
    var box = boxes[question];
    if (!entry || busy[question]) { return; }
    if (!box) { delete outbox.answers[question]; persist(); return; }  // not in this attempt
    busy[question] = true;
    var seq = entry.seq;
    stateOf(box, "Mengirim…", "text-body-secondary");
    post(root.dataset.saveUrl, {question: question, value: entry.value, revision: entry.rev}).then(function (result) {
      busy[question] = false;
      handle(box, question, seq, result.status, result.body);
      settled();
    });
  }

  function handle(box, question, seq, status, body) {
    var entry = outbox.answers[question];
    if (status === 200 && body.saved) {
      setRevision(box, body.revision);
      connected();
      if (entry && entry.seq === seq) { delete outbox.answers[question]; }
      else if (entry) { entry.rev = body.revision; persist(); send(question); return; }  // changed meanwhile
      persist();
      stateOf(box, "Tersimpan", "text-success");
      if (retryTimer !== null) { flush(); }  // the connection is back: send the others now
      return;
    }
    if (status === 409 && body.error === "stale") {
      // Another tab or device saved a newer answer: drop ours and show the server's.
      delete outbox.answers[question];
      persist();
      setRevision(box, body.revision);
      setValue(box, body.value);
      countAnswered();
      stateOf(box, "Diubah di tab atau perangkat lain — jawaban terbaru ditampilkan", "text-danger");
      showBanner("stale", "Jawaban soal " + box.dataset.index + " sudah diubah di tab atau perangkat lain. " +
                 "Jawaban terbaru dari server kini ditampilkan; periksa lagi soal itu.");
      return;
    }
    if (status === 409 || (status === 403 && body.error === "QuizUnavailable") || status === 404) {
      // The attempt ended (submitted, time up, quiz withdrawn): the server answered for good.
      delete outbox.answers[question];
      persist();
      stateOf(box, "Tidak tersimpan", "text-danger");
      showBanner("ended", (body.message || "Percobaan ini sudah berakhir.") + reviewLink());
      return;
    }
    if (status === 401 || (status === 403 && body.error === "password_change_required")) {
      stateOf(box, "Belum terkirim", "text-danger");
      showBanner("session", "Sesi Anda berakhir, jadi " + waiting() + " jawaban belum terkirim; jawaban itu tetap " +
                 "tersimpan di perangkat ini. <a class=\"alert-link\" target=\"_blank\" rel=\"noopener\" href=\"" +
                 root.dataset.loginUrl + "\">Masuk lagi di tab baru</a>, lalu muat ulang halaman ini: " +
                 "jawaban dikirim setelah halaman dimuat.");
      retryLater();
      return;
    }
    if (status === 400 && body.error === "csrf") {
      blocked = true;
      stateOf(box, "Belum terkirim", "text-danger");
      showBanner("csrf", "Halaman ini sudah kedaluwarsa. <a href=\"\" class=\"alert-link\">Muat ulang halaman</a>: " +
                 "jawaban yang belum terkirim tetap tersimpan di perangkat ini dan dikirim setelah halaman dimuat.");
      return;
    }
    if (status === 400 || status === 403) {
      delete outbox.answers[question];
      persist();
      stateOf(box, "Tidak tersimpan", "text-danger");
      showBanner("refused", body.message || "Jawaban ditolak oleh server.");
      return;
    }
    // Offline, a dropped connection, or a server error: keep it and try again.
    stateOf(box, "Belum terkirim — dikirim otomatis saat tersambung", "text-danger");
    showBanner("offline", "Koneksi terputus. " + waiting() + " jawaban tersimpan di perangkat ini dan " +
               "dikirim otomatis saat tersambung; Anda dapat terus mengerjakan.", "alert-warning");
    retryLater();
  }

  function sendPosition() {
    var wanted = outbox.page;
    if (!wanted || positionBusy || blocked) { return; }
    positionBusy = true;
    post(root.dataset.positionUrl, {page: wanted.n}).then(function (result) {
      positionBusy = false;
      var s = result.status;
      if (s === 0 || s >= 500 || s === 401 || (s === 403 && result.body.error === "password_change_required")) {
        retryLater();
      } else if (!(s === 400 && result.body.error === "csrf")) {
        // Saved, or refused for good (the attempt ended): either way the server has answered.
        if (outbox.page && outbox.page.seq === wanted.seq) { outbox.page = null; persist(); }
        else { sendPosition(); }
      }
      settled();
    });
  }

  function record(box) {
    var question = box.dataset.question;
    var entry = outbox.answers[question];
    var seq = (outbox.seqs[question] || 0) + 1;
    outbox.seqs[question] = seq;
    outbox.answers[question] = {value: valueOf(box), rev: entry ? entry.rev : parseInt(box.dataset.revision, 10), seq: seq};
    persist();
    countAnswered();
    stateOf(box, "Belum terkirim", "text-body-secondary");
    send(question);
  }

  /* ---- restoring what a reload (or a closed tab) left in the outbox */
  function restore() {
    Object.keys(outbox.answers).forEach(function (question) {
      var entry = outbox.answers[question];
      var box = boxes[question];
      if (!box) { delete outbox.answers[question]; return; }
      var rendered = parseInt(box.dataset.revision, 10);
      if (rendered > entry.rev) {
        // The server moved on: our save landed before the page closed, or another device saved.
        delete outbox.answers[question];
        if (canonical(valueOf(box)) !== canonical(entry.value)) {
          stateOf(box, "Diubah di tab atau perangkat lain — jawaban terbaru ditampilkan", "text-danger");
        }
        return;
      }
      setValue(box, entry.value);  // newer than what the server rendered: not sent yet
      stateOf(box, "Belum terkirim", "text-body-secondary");
    });
    persist();
    countAnswered();
    if (outbox.page && outbox.page.n >= 1 && outbox.page.n <= lastPage) { showPage(outbox.page.n, false); }
    else if (outbox.page) { outbox.page = null; persist(); }
  }

  /* ---- client-side pages */
  function showPage(n, remember) {
    n = Math.min(Math.max(n, 1), lastPage);
    pages.forEach(function (p) { p.hidden = parseInt(p.dataset.page, 10) !== n; });
    current = n;
    if (pageInput) { pageInput.value = String(n); }
    if (pageLabel) { pageLabel.textContent = "Halaman " + n + " dari " + lastPage; }
    form.querySelectorAll("button[data-step]").forEach(function (b) {
      var to = n + parseInt(b.dataset.step, 10);
      b.value = String(to);
      b.hidden = to < 1 || to > lastPage;
    });
    var save = document.getElementById("save-button");
    if (save) { save.value = String(n); }
    // The attempt's own address: a start answered with this page (quiz_start.js) shows the
    // start form's address until now, and a reload must open the attempt, not post the form again.
    try { window.history.replaceState(null, "", (root.dataset.url || window.location.pathname) + "?page=" + n); } catch (ignored) { /* old browser */ }
    if (remember) {
      outbox.pageSeq = (outbox.pageSeq || 0) + 1;
      outbox.page = {n: n, seq: outbox.pageSeq};
      persist();
      sendPosition();
      var shown = pages[n - 1];
      if (shown) { shown.setAttribute("tabindex", "-1"); shown.focus({preventScroll: true}); }
      window.scrollTo(0, 0);
    }
  }

  /* ---- handing in: never while answers wait to be sent */
  var finishing = null;  // what to do once the outbox is empty
  var finishingForced = false;  // time is up: keep trying until the grace period ends
  function settled() {
    if (finishing === null || Object.keys(busy).some(function (q) { return busy[q]; })) { return; }
    if (waiting() === 0) {
      var go = finishing;
      finishing = null;
      go();
      return;
    }
    var offline = problem === "offline" || problem === "session" || problem === "csrf";
    if (offline && !finishingForced) {
      finishing = null;
      showBanner("offline", "Anda sedang tidak tersambung: " + waiting() + " jawaban belum terkirim, jadi percobaan " +
                 "belum dikumpulkan dan tetap terbuka. Jawaban dikirim otomatis saat tersambung; tekan " +
                 "\"Kumpulkan\" lagi setelahnya.", "alert-warning");
    }
  }
  function whenSent(then) {
    finishing = then;
    if (waiting() === 0) { settled(); return; }
    statusEl.textContent = "Mengirim " + waiting() + " jawaban yang belum terkirim…";
    flush();
  }
  function postSubmit() {
    var f = document.createElement("form");
    f.method = "post";
    f.action = root.dataset.submitUrl;
    var t = document.createElement("input");
    t.type = "hidden"; t.name = "csrf_token"; t.value = csrf.value;
    f.appendChild(t);
    document.body.appendChild(f);
    f.submit();
  }

  form.addEventListener("submit", function (event) {
    var by = event.submitter;
    event.preventDefault();
    if (by && by.dataset.step) { showPage(current + parseInt(by.dataset.step, 10), true); return; }
    if (by && by.id === "submit-button") {
      whenSent(function () { window.location = root.dataset.confirmUrl + "&page=" + current; });
      return;
    }
    flush();  // "Simpan": send what waits now
  });
  var confirmForm = document.querySelector("form[action='" + root.dataset.submitUrl + "']");
  if (confirmForm) {
    confirmForm.addEventListener("submit", function (event) {
      if (waiting() === 0 && navigator.onLine !== false) { return; }
      event.preventDefault();
      if (waiting() === 0) {
        showBanner("offline", "Anda sedang tidak tersambung, jadi percobaan belum dikumpulkan dan tetap terbuka. " +
                   "Coba lagi setelah tersambung.", "alert-warning");
        return;
      }
      whenSent(function () { confirmForm.submit(); });
    });
  }

  /* ---- wiring */
  pages.forEach(function (p) { p.disabled = false; });
  if (root.dataset.url && window.location.pathname !== root.dataset.url) {
    // Answered in the start form's own post (quiz_start.js): show, and reload, the attempt's address.
    try { window.history.replaceState(null, "", root.dataset.url + "?page=" + current); } catch (ignored) { /* old browser */ }
  }
  var typing = {};  // text answers typed in the last moment, not yet recorded
  Object.keys(boxes).forEach(function (question) {
    var box = boxes[question];
    box.addEventListener("change", function () { window.clearTimeout(typing[question]); delete typing[question]; record(box); });
    box.addEventListener("input", function (event) {
      if (event.target.type !== "text") { return; }
      window.clearTimeout(typing[question]);
      typing[question] = window.setTimeout(function () { delete typing[question]; record(box); }, 800);
    });
  });
  // Closing or leaving the page right after typing: into the outbox first, so it is not lost.
  window.addEventListener("pagehide", function () {
    Object.keys(typing).forEach(function (question) {
      window.clearTimeout(typing[question]);
      delete typing[question];
      record(boxes[question]);
    });
  });
  window.addEventListener("online", function () { delay = 0; flush(); });
  restore();
  flush();

  /* The countdown; the server enforces the deadline, this only shows it and hands in on time
     (once the outbox is empty, or anyway near the end of the grace period). */
  var left = root.dataset.secondsLeft === "" ? null : parseInt(root.dataset.secondsLeft, 10);
  var timerEl = document.getElementById("timer");
  var alertEl = document.getElementById("timer-alert");
  var started = Date.now();
  var total = left;
  function submitNow() {
    var deadline = Date.now() + 50000;
    finishingForced = true;
    whenSent(postSubmit);
    var check = function () {
      if (finishing === null) { return; }
      // Past the grace period the server has graded what it holds; offline, a form post would
      // only show the browser's error page, so wait for the connection (saves then end the outbox).
      if (Date.now() > deadline && navigator.onLine !== false) { finishing = null; postSubmit(); return; }
      flush();
      window.setTimeout(check, 2000);
    };
    window.setTimeout(check, 2000);
  }
  if (left !== null && timerEl) {
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
        if (body && body.finished && waiting() === 0) { window.location = root.dataset.reviewUrl; }
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
