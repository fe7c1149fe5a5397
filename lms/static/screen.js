/* The projector screen: refresh the QR and the live list every 2 seconds. */
(function () {
  "use strict";
  var root = document.getElementById("screen");
  if (!root) { return; }
  function list(el, items, render) {
    el.innerHTML = "";
    items.forEach(function (item) { var li = document.createElement("li"); render(li, item); el.appendChild(li); });
  }
  function refresh() {
    fetch(root.dataset.live, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        document.getElementById("qr").innerHTML = data.svg;
        document.getElementById("code").textContent = data.code;
        document.getElementById("remaining").textContent = data.remaining;
        document.getElementById("count").textContent = data.count;
        document.getElementById("total").textContent = data.total;
        list(document.getElementById("present"), data.present, function (li, p) {
          li.textContent = p.name + " ";
          var s = document.createElement("span"); s.className = "opacity-75";
          s.textContent = p.at + (p.status === "Terlambat" ? " · terlambat" : ""); li.appendChild(s);
        });
        list(document.getElementById("absent"), data.absent, function (li, name) { li.textContent = name; });
        var shared = document.getElementById("shared");
        document.getElementById("shared-list").textContent = data.shared.join("; ");
        shared.classList.toggle("d-none", data.shared.length === 0);
      })
      .catch(function () { /* the venue Wi-Fi hiccups; the next tick retries */ });
  }
  window.setInterval(refresh, 2000);
})();
