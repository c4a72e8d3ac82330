// innoregion: the only script of the site (no libraries). Submits the language switcher on change
// and hides its button when scripts run.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });
  document.querySelectorAll(".js-hide").forEach(function (el) { el.hidden = true; });
});
