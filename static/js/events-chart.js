// The events chart: for each of the latest events, the guests and judges who came, the interests
// they expressed and the engagements the event opened, drawn from the figures the page gives in
// `data-events` (the same figures as the table below it), on load and after an htmx swap.
(function () {
  "use strict";
  var SERIES = [
    ["came", "Guests and judges who came", "#8cc5e6"],
    ["interests", "Interests expressed", "#2a7ab0"],
    ["engagements", "Engagements opened", "#3e8e5e"],
  ];

  function draw(root) {
    if (!window.Chart) return;
    root.querySelectorAll("canvas[data-events]").forEach(function (canvas) {
      var figures = JSON.parse(canvas.getAttribute("data-events"));
      var existing = window.Chart.getChart(canvas);
      if (existing) existing.destroy();
      new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: figures.labels,
          datasets: SERIES.map(function (s) {
            return { label: s[1], data: figures[s[0]], backgroundColor: s[2] };
          }),
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
          plugins: { legend: { position: "bottom" } },
        },
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.target); });
})();
