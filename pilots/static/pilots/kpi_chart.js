// One Chart.js line chart per KPI: the reported values over time against the baseline and the
// target. The data come from the page (json_script "kpi-chart-data"); read them back with
// Chart.getChart(canvas).data.
(function () {
  "use strict";
  var dataNode = document.getElementById("kpi-chart-data");
  if (!dataNode || typeof Chart === "undefined") {
    return;
  }
  var series = JSON.parse(dataNode.textContent);
  var labels = JSON.parse(document.getElementById("kpi-chart-labels").textContent);
  var locale = document.documentElement.lang || "vi";

  function constant(value, count) {
    var values = [];
    for (var i = 0; i < count; i += 1) {
      values.push(value);
    }
    return values;
  }

  function label(point) {
    if (point.period === null) {
      return point.label;
    }
    var parts = point.label.split("-");
    return parts.length === 3 ? parts[2] + "/" + parts[1] + "/" + parts[0] : point.label;
  }

  series.forEach(function (kpi) {
    var canvas = document.getElementById("kpi-chart-" + kpi.id);
    if (!canvas) {
      return;
    }
    var points = kpi.points.length ? kpi.points : [{ label: labels.start, period: null, value: null }];
    var count = points.length;
    new Chart(canvas, {
      type: "line",
      data: {
        labels: points.map(label),
        datasets: [
          {
            label: labels.reported,
            data: points.map(function (p) { return p.value; }),
            borderColor: "#8b1a1a",
            backgroundColor: "#8b1a1a",
            tension: 0.2,
          },
          {
            label: labels.baseline,
            data: constant(kpi.baseline, count),
            borderColor: "#6c757d",
            borderDash: [6, 4],
            pointRadius: 0,
          },
          {
            label: labels.target,
            data: constant(kpi.target, count),
            borderColor: "#198754",
            borderDash: [2, 3],
            pointRadius: 0,
          },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        locale: locale,
        plugins: {
          legend: { position: "bottom" },
          title: { display: true, text: kpi.name + " (" + kpi.unit + ")" },
        },
        scales: { y: { title: { display: true, text: kpi.unit } } },
      },
    });
  });
})();
