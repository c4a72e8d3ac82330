// Reload the talent code image (and its text form) every 30 seconds, so what is on screen is always a
// freshly signed presentation. No libraries, no network but this site.
(function () {
  "use strict";
  var box = document.getElementById("talent-code");
  if (!box) { return; }
  var img = document.getElementById("talent-code-img");
  var text = document.getElementById("talent-code-text");
  var countdown = document.getElementById("talent-code-countdown");
  var period = parseInt(box.getAttribute("data-refresh"), 10) || 30;
  var left = period;
  function refresh() {
    var stamp = Date.now();
    img.src = box.getAttribute("data-png") + "?t=" + stamp;
    if (text && window.fetch) {
      fetch(box.getAttribute("data-text") + "?t=" + stamp, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (t) { if (t) { text.value = t; } });
    }
  }
  setInterval(function () {
    left -= 1;
    if (left <= 0) { refresh(); left = period; }
    if (countdown) { countdown.textContent = String(left); }
  }, 1000);
}());
