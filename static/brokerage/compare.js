// Draws the simulator's comparison chart with Chart.js from the JSON beside the canvas. The series differ by
// pattern-free border styles as well as colour, and the same figures are in the table below the chart.
(function () {
  "use strict";
  function render() {
    var node = document.getElementById("chart-compare-data");
    var canvas = document.getElementById("chart-award-hours");
    if (!node || !canvas || typeof Chart === "undefined") { return; }
    var data = JSON.parse(node.textContent);
    var names = ["Hospital discharge", "Urgent", "Routine"];
    var colours = ["#d4351c", "#1d70b8", "#00703c"];
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: names.map(function (name, index) {
          return { label: name + ": median hours to award", data: data.award_hours_median[index], backgroundColor: colours[index], borderColor: "#0b0c0c", borderWidth: index };
        })
      },
      options: { animation: false, scales: { y: { beginAtZero: true, title: { display: true, text: "Hours" } } } }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", render); } else { render(); }
})();
