// Charts of the statistics page (Chart.js, vendored). The numbers are also in the tables, so
// the page is complete without JavaScript; the data comes from json_script blocks (no inline JS).
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  var colour = getComputedStyle(document.documentElement).getPropertyValue("--portal-primary").trim() || "#8a1c1c";
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : [];
  }
  var narrow = window.matchMedia("(max-width: 575.98px)").matches;
  function bar(canvasId, rows, labelOf, horizontal) {
    var canvas = document.getElementById(canvasId);
    if (!canvas) return;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: rows.map(labelOf),
        datasets: [{ data: rows.map(function (r) { return r.count; }), backgroundColor: colour }],
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: {
          x: { beginAtZero: true, ticks: { autoSkip: !horizontal, precision: 0 } },
          y: {
            beginAtZero: true,
            ticks: {
              autoSkip: false,
              precision: 0,
              // Long province names are shortened on a phone; the table has them in full.
              callback: function (value) {
                var label = horizontal ? this.getLabelForValue(value) : value;
                return horizontal && narrow && label.length > 16 ? label.slice(0, 15) + "…" : label;
              },
            },
          },
        },
      },
    });
  }
  bar("chart-province", data("data-province"), function (r) { return r.name; }, true);
  bar("chart-distribution", data("data-distribution"), function (r) { return r.label; }, false);
  bar("chart-kbli", data("data-kbli"), function (r) { return r.division; }, false);
})();
