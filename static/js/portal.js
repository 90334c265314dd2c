// Small progressive enhancements shared by every page (no inline scripts, so a strict CSP works).
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("select[data-autosubmit]")) {
    el.form.submit();
  }
});
