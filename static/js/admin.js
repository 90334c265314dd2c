// Officials' admin: the tabular inlines scroll sideways on a phone; a keyboard must reach them
// too (axe scrollable-region-focusable), so each becomes a named, focusable region.
document.addEventListener("DOMContentLoaded", function () {
  Array.prototype.forEach.call(document.querySelectorAll(".inline-group .tabular"), function (el) {
    var heading = el.querySelector("h2");
    var group = el.closest(".inline-group");
    el.setAttribute("tabindex", "0");
    el.setAttribute("role", "region");
    if (heading && group && group.id) {
      heading.id = heading.id || group.id + "-heading";
      el.setAttribute("aria-labelledby", heading.id);
    }
  });
});
