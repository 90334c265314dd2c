// Charts of the programme dashboard (Chart.js, vendored). Decoration only: every number is in
// the table under the chart (the canvas is aria-hidden). Data from a json_script block (CSP).
(function () {
  "use strict";
  function draw() {
    if (typeof Chart === "undefined") return;
    var source = document.getElementById("programme-charts");
    if (!source) return;
    var charts = JSON.parse(source.textContent);
    var colour = "#205067";
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var spec = charts[canvas.getAttribute("data-chart")];
      if (!spec) return;
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: spec.labels,
          datasets: [{ label: spec.label, data: spec.values, backgroundColor: colour }],
        },
        options: {
          indexAxis: spec.horizontal ? "y" : "x",
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: false } },
          scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { beginAtZero: true } },
        },
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
