// The job page follows its job while it is queued or running: every two seconds it asks the job's
// progress (same site, no libraries), moves the progress bar and the current step, and reloads the
// page when the status changes or new log lines arrive.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.getAttribute("data-active") !== "1" || !window.fetch) { return; }
  var url = box.getAttribute("data-progress-url");
  var status = box.getAttribute("data-status");
  var lines = parseInt(box.getAttribute("data-log-lines"), 10) || 0;
  var bar = document.getElementById("job-progress");
  var percent = document.getElementById("job-percent");
  var step = document.getElementById("job-step");
  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p) { return; }
        if (p.status !== status || !p.active) { window.location.reload(); return; }
        if (p.percent !== null) { bar.value = p.percent; percent.textContent = p.percent + " %"; }
        step.textContent = p.step;
        if (p.log_lines !== lines) { window.location.reload(); return; }
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 2000);
}());
