/* The organization board's charts (Chart.js), drawn from the figures the page embeds. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof window.Chart !== "function") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var palette = ["#8b1a1a", "#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#d63384",
    "#6c757d", "#ffc107", "#0dcaf0", "#495057", "#adb5bd"];
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var common = { responsive: true, maintainAspectRatio: false, animation: reduced ? false : {} };

  function draw(id, config, height) {
    var canvas = document.getElementById(id);
    if (canvas) {
      canvas.parentElement.style.height = (height || 280) + "px";
      return new window.Chart(canvas, config);
    }
    return null;
  }

  // One bar per state, every bar labelled: the chart grows with the number of states instead of
  // letting Chart.js skip every other label.
  draw("chart-states", {
    type: "bar",
    data: { labels: data.states.labels, datasets: [{ data: data.states.values, backgroundColor: palette[0] }] },
    options: Object.assign({}, common, {
      plugins: { legend: { display: false } },
      indexAxis: "y",
      scales: { y: { ticks: { autoSkip: false } }, x: { beginAtZero: true, ticks: { precision: 0 } } }
    })
  }, Math.max(280, 40 + 24 * data.states.labels.length));
  draw("chart-decisions", {
    type: "bar",
    data: {
      labels: data.decisions.labels,
      datasets: [
        { label: data.decisions.on_time_label, data: data.decisions.on_time, backgroundColor: palette[2] },
        { label: data.decisions.late_label, data: data.decisions.late, backgroundColor: palette[0] }
      ]
    },
    options: Object.assign({}, common, { scales: { x: { stacked: true, ticks: { autoSkip: false } }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } })
  });
  draw("chart-outcomes", {
    type: "doughnut",
    data: { labels: data.outcomes.labels, datasets: [{ data: data.outcomes.values, backgroundColor: [palette[2], palette[3], palette[7], palette[0]] }] },
    options: common
  });
  draw("chart-protection", {
    type: "bar",
    data: { labels: data.protection.labels, datasets: [{ data: data.protection.values, backgroundColor: [palette[1], palette[5], palette[3], palette[0], palette[10]] }] },
    options: Object.assign({}, common, { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } })
  });
})();
