// The funnel chart: drawn from the figures the page gives in `data-funnel` (the same figures as
// the table beside it), on load and again when htmx swaps in new figures.
(function () {
  "use strict";
  if (window.ChartFunnel && window.Chart) {
    window.Chart.register(window.ChartFunnel.FunnelController, window.ChartFunnel.TrapezoidElement);
  }
  var COLOURS = ["#1f5f8b", "#2a7ab0", "#3f93c9", "#62acd9", "#8cc5e6", "#3e8e5e"];

  function draw(root) {
    root.querySelectorAll("canvas[data-funnel]").forEach(function (canvas) {
      var figures = JSON.parse(canvas.getAttribute("data-funnel"));
      var existing = window.Chart.getChart(canvas);
      if (existing) existing.destroy();
      new window.Chart(canvas, {
        type: "funnel",
        data: {
          labels: figures.labels,
          datasets: [{ data: figures.values, backgroundColor: COLOURS }],
        },
        options: {
          indexAxis: "y",
          animation: false,
          maintainAspectRatio: false,
          plugins: { legend: { display: false } },
        },
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.target); });
})();
