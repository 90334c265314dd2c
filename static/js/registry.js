// Registry pages: narrow the regency list to the chosen province; drag-and-drop a PDF on the
// verification page (the form works without JavaScript: this only submits it on drop).
(function () {
  "use strict";
  var province = document.getElementById("id_province");
  var regency = document.getElementById("id_regency");
  if (province && regency) {
    var all = Array.prototype.slice.call(regency.options).map(function (o) {
      return { value: o.value, text: o.text, selected: o.selected };
    });
    var narrow = function () {
      var code = province.value;
      var current = regency.value;
      regency.innerHTML = "";
      all.forEach(function (o) {
        if (!o.value || !code || o.value.indexOf(code + ".") === 0) {
          var option = new Option(o.text, o.value, false, o.value === current);
          regency.add(option);
        }
      });
    };
    province.addEventListener("change", narrow);
  }

  // The shortlist's print button (hidden without JavaScript; the browser's print works anyway).
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  var form = document.querySelector("form[data-pdf-drop]");
  if (form) {
    var zone = form.querySelector(".drop-zone");
    var input = form.querySelector("input[type=file]");
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("drop-active");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("drop-active"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        form.submit();
      }
    });
    input.addEventListener("change", function () { if (input.files.length) form.submit(); });
  }
})();
