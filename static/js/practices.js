// Render every server-built plotly figure: <div data-figure="id-of-json-script"></div>.
document.querySelectorAll("[data-figure]").forEach(function (el) {
  var source = document.getElementById(el.dataset.figure);
  if (!source || !window.Plotly) { return; }
  var figure = JSON.parse(JSON.parse(source.textContent));
  window.Plotly.newPlot(el, figure.data, figure.layout, { responsive: true, displaylogo: false }).then(function () {
    // Cells carrying a URL (the heat-map's teams) open it when clicked.
    el.on("plotly_click", function (event) {
      var url = event.points[0] && event.points[0].customdata;
      if (typeof url === "string" && url.charAt(0) === "/") { window.location.href = url; }
    });
  });
});
