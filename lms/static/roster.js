/* The roster grid: tap a cell to choose a status, tick rows to set one status for many, undo the last
 * bulk change; all saved with fetch (JSON, the CSRF token in X-CSRFToken). Without script the names
 * lead to the participant's edit page and the bulk form posts as a form. */
(function () {
  "use strict";
  var root = document.getElementById("roster");
  if (!root || !window.fetch) { return; }
  var chooser = document.getElementById("chooser");
  var bulk = document.getElementById("bulk");
  var result = document.getElementById("bulk-result");
  var labels = {};
  chooser.querySelectorAll("[data-status]").forEach(function (b) { labels[b.dataset.status] = b.textContent; });
  var heads = Array.prototype.slice.call(root.querySelectorAll("thead th[data-s]"));
  var current = null;

  function post(url, body, asForm) {
    var headers = {"Accept": "application/json", "X-CSRFToken": root.dataset.csrf};
    if (!asForm) { headers["Content-Type"] = "application/json"; }
    return fetch(url, {
      method: "POST", credentials: "same-origin", headers: headers,
      body: asForm ? new URLSearchParams(body) : JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok || data.error) {
          throw new Error(data.error || data.message || "Gagal menyimpan (" + response.status + ").");
        }
        return data;
      });
    }, function () { throw new Error("Tidak tersambung ke server. Coba lagi."); });
  }

  function cellOf(td) {
    var row = td.parentNode;
    var index = Array.prototype.indexOf.call(row.children, td) - 1;  // the name is the first cell
    return {row: row, head: heads[index]};
  }

  function show(td, status, message, isError) {
    if (status) { td.dataset.v = status; } else { delete td.dataset.v; }
    td.textContent = status ? labels[status] : "—";
    if (message) {
      var span = document.createElement("span");
      span.className = "cell-msg" + (isError ? " err" : "");
      span.textContent = message;
      td.appendChild(span);
      if (!isError) { window.setTimeout(function () { if (span.parentNode) { span.remove(); } }, 2500); }
    }
  }

  function percent(values) {
    Object.keys(values || {}).forEach(function (uid) {
      var row = document.getElementById("p" + uid);
      var pc = row && row.querySelector("td.pc");
      if (pc) {
        pc.textContent = values[uid];
        pc.classList.toggle("low", parseFloat(values[uid].replace(",", ".")) < parseFloat(root.dataset.min));
      }
    });
  }

  function save(td, status) {
    var where = cellOf(td);
    var old = td.dataset.v || "";
    td.classList.add("saving");
    show(td, status, "Menyimpan…");
    post(root.dataset.cells, {session: parseInt(where.head.dataset.s, 10), users: [parseInt(where.row.dataset.u, 10)],
                              status: status})
      .then(function (data) { show(td, data.status, "Tersimpan"); percent(data.percent); })
      .catch(function (error) { show(td, old, error.message, true); })
      .then(function () { td.classList.remove("saving"); });
  }

  function open(td) {
    var where = cellOf(td);
    if (!where.head) { return; }
    current = td;
    var name = where.row.querySelector("th a").textContent;
    document.getElementById("chooser-title").textContent = name + " · " + where.head.dataset.label;
    document.getElementById("chooser-history").href = root.dataset.history + "?session=" + where.head.dataset.s +
      "&user=" + where.row.dataset.u;
    chooser.hidden = false;
    chooser.querySelector("[data-status]").focus();
  }

  function close() {
    chooser.hidden = true;
    if (current) { current.focus(); }
    current = null;
  }

  root.querySelectorAll("tbody td:not(.pc)").forEach(function (td) {
    td.tabIndex = 0;
    td.setAttribute("role", "button");
  });
  root.addEventListener("click", function (event) {
    var td = event.target.closest("tbody td");
    if (td && !td.classList.contains("pc")) { open(td); }
  });
  root.addEventListener("keydown", function (event) {
    var td = event.target.closest("tbody td");
    if (td && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); open(td); }
  });
  chooser.addEventListener("click", function (event) {
    var button = event.target.closest("[data-status]");
    if (button && current) { var td = current; close(); save(td, button.dataset.status); }
    if (event.target.closest("[data-close]")) { close(); }
  });
  document.addEventListener("keydown", function (event) { if (event.key === "Escape" && !chooser.hidden) { close(); } });

  // ---- selection and bulk change
  var all = document.getElementById("pilih-semua");
  var boxes = Array.prototype.slice.call(root.querySelectorAll("tbody input[type=checkbox]"));
  var count = document.getElementById("bulk-count");

  function selected() { return boxes.filter(function (b) { return b.checked; }); }
  function counted() {
    var n = selected().length;
    count.textContent = n ? n + " dipilih" : "";
    all.checked = n === boxes.length && n > 0;
    all.indeterminate = n > 0 && n < boxes.length;
  }
  all.addEventListener("change", function () { boxes.forEach(function (b) { b.checked = all.checked; }); counted(); });
  root.addEventListener("change", function (event) { if (event.target.type === "checkbox") { counted(); } });

  function column(sessionId) {
    for (var i = 0; i < heads.length; i += 1) { if (heads[i].dataset.s === String(sessionId)) { return i + 1; } }
    return -1;
  }

  function message(text, undoId, isError) {
    result.textContent = text + " ";
    result.classList.toggle("text-danger", !!isError);
    if (undoId) {
      var button = document.createElement("button");
      button.type = "button"; button.className = "btn btn-outline-dark btn-sm"; button.textContent = "Batalkan";
      button.addEventListener("click", function () { undo(undoId, button); });
      result.appendChild(button);
    }
  }

  function applied(users, sessionId, status) {
    var col = column(sessionId);
    users.forEach(function (uid) {
      var row = document.getElementById("p" + uid);
      if (row && col > 0) { show(row.children[col], status, "Tersimpan"); }
    });
  }

  function undo(id, button) {
    button.disabled = true;
    post(root.dataset.undo, {event_id: String(id), csrf_token: root.dataset.csrf}, true).then(function (data) {
      var col = column(data.session);
      Object.keys(data.cells).forEach(function (uid) {
        var row = document.getElementById("p" + uid);
        if (row && col > 0) { show(row.children[col], data.cells[uid] || "", "Dibatalkan"); }
      });
      percent(data.percent);
      message(data.message);
      var banner = document.getElementById("last-bulk");
      if (banner) { banner.remove(); }
    }).catch(function (error) { button.disabled = false; message(error.message, null, true); });
  }

  bulk.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; }
    event.preventDefault();
    var users = selected().map(function (b) { return parseInt(b.value, 10); });
    if (!users.length) { message("Pilih minimal satu peserta.", null, true); return; }
    var sessionId = parseInt(bulk.elements.session_id.value, 10);
    var status = bulk.elements.status.value;
    message("Menyimpan…");
    post(root.dataset.cells, {session: sessionId, users: users, status: status}).then(function (data) {
      applied(users, sessionId, data.status);
      percent(data.percent);
      message(data.message || "Tersimpan.", data.undo);
    }).catch(function (error) { message(error.message, null, true); });
  });

  // ---- time left in the open sessions
  var timers = Array.prototype.slice.call(document.querySelectorAll("[data-closes]"));
  var started = Date.now();
  function tick() {
    timers.forEach(function (el) {
      var left = Math.max(0, parseInt(el.dataset.closes, 10) - Math.floor((Date.now() - started) / 1000));
      el.textContent = left > 0 ? "ditutup dalam " + Math.ceil(left / 60) + " menit" : "sudah lewat waktu tutup";
    });
  }
  if (timers.length) { tick(); window.setInterval(tick, 15000); }
})();
