// Small progressive enhancements shared by every page (no inline scripts, so a strict CSP works).

// The error summary of a form that failed takes the focus, so a screen reader announces it first
// and a keyboard continues from it (GOV.UK error summary pattern).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});

// A link in the error summary moves the focus to its field (not only the scroll position).
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
  if (!link) {
    return;
  }
  var field = document.getElementById(link.getAttribute("href").slice(1));
  if (field) {
    event.preventDefault();
    field.focus();
    field.scrollIntoView({ block: "center" });
  }
});
