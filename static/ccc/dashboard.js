// Draws the dashboard's charts with Chart.js from the JSON beside each canvas, and again after htmx
// swaps in fresh figures. Series differ by line style and point shape as well as colour, and every
// chart has the same figures in a table, so nothing depends on colour or on seeing the chart.
(function () {
  "use strict";
  var charts = {};

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas || typeof Chart === "undefined") { return; }
    if (charts[id]) { charts[id].destroy(); }
    charts[id] = new Chart(canvas, config);
  }

  function render() {
    var weekly = data("chart-weekly-data");
    if (weekly) {
      draw("chart-weekly", {
        type: "line",
        data: {
          labels: weekly.labels,
          datasets: [
            { label: "Submitted", data: weekly.submitted, borderColor: "#1d70b8", backgroundColor: "#1d70b8", pointStyle: "circle" },
            { label: "Awarded", data: weekly.awarded, borderColor: "#00703c", backgroundColor: "#00703c", borderDash: [8, 4], pointStyle: "triangle", pointRadius: 5 },
            { label: "Care started", data: weekly.started, borderColor: "#0b0c0c", backgroundColor: "#0b0c0c", borderDash: [2, 3], pointStyle: "rect", pointRadius: 5 }
          ]
        },
        options: { animation: false, responsive: true, plugins: { legend: { labels: { usePointStyle: true } } }, scales: { y: { beginAtZero: true, title: { display: true, text: "Packages" } } } }
      });
    }
    var spread = data("chart-spread-data");
    if (spread) {
      draw("chart-spread", {
        type: "bar",
        data: { labels: spread.labels, datasets: [{ label: "Hours per week awarded", data: spread.hours, backgroundColor: "#1d70b8" }] },
        options: { animation: false, responsive: true, plugins: { legend: { display: false } }, scales: { x: { ticks: { display: spread.labels.length <= 30 } }, y: { beginAtZero: true, title: { display: true, text: "Hours per week" } } } }
      });
    }
  }

  document.addEventListener("DOMContentLoaded", render);
  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "ccc-figures") { render(); }
  });
})();
