/* The projector screen: refresh the QR, the code and the live list every 2 seconds; count down to
 * the session's close; reload when the session opens or closes (the QR appears or goes). */
(function () {
  "use strict";
  var root = document.getElementById("screen");
  if (!root) { return; }
  var closes = document.getElementById("closes");
  var closesAt = closes ? Date.now() + parseInt(closes.dataset.seconds, 10) * 1000 : 0;
  function text(id, value) { var el = document.getElementById(id); if (el && value !== null) { el.textContent = value; } }
  function list(el, items, render) {
    el.innerHTML = "";
    items.forEach(function (item) { var li = document.createElement("li"); render(li, item); el.appendChild(li); });
  }
  function countdown() {
    if (!closes) { return; }
    var left = Math.max(0, Math.round((closesAt - Date.now()) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
    closes.textContent = (h ? h + ":" + String(m).padStart(2, "0") : String(m)) + ":" + String(s).padStart(2, "0");
  }
  function refresh() {
    fetch(root.dataset.live, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        if (data.state !== root.dataset.state) { window.location.reload(); return; }
        var qr = document.getElementById("qr");
        if (qr && data.svg) { qr.innerHTML = data.svg; }
        text("code", data.code);
        text("remaining", data.remaining);
        text("count", data.count);
        text("total", data.total);
        if (closes) { closesAt = Date.now() + data.closes_in * 1000; }
        list(document.getElementById("present"), data.present, function (li, p) {
          li.textContent = p.name + " ";
          var s = document.createElement("span"); s.className = "opacity-75";
          s.textContent = p.at + (p.status === "Terlambat" ? " · terlambat" : ""); li.appendChild(s);
        });
        list(document.getElementById("absent"), data.absent, function (li, name) { li.textContent = name; });
      })
      .catch(function () { /* the venue Wi-Fi hiccups; the next tick retries */ });
  }
  countdown();
  window.setInterval(countdown, 1000);
  window.setInterval(refresh, 2000);
})();
