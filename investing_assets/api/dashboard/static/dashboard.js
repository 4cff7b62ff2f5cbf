// Draws every figure the server built: each .chart element carries its plotly figure as JSON in data-figure.
(function () {
  function draw() {
    document.querySelectorAll(".chart[data-figure]").forEach(function (el) {
      var figure = JSON.parse(el.dataset.figure);
      Plotly.newPlot(el, figure.data, figure.layout, {responsive: true, displaylogo: false})
        .then(function () { el.dataset.rendered = "true"; });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
