// Render every server-built plotly figure: <div data-figure="id-of-json-script"></div>.
document.querySelectorAll("[data-figure]").forEach(function (el) {
  var source = document.getElementById(el.dataset.figure);
  if (!source || !window.Plotly) { return; }
  var figure = JSON.parse(JSON.parse(source.textContent));
  window.Plotly.newPlot(el, figure.data, figure.layout, { responsive: true, displaylogo: false });
});
