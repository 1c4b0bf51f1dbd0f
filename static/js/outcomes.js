// Draw every server-built plotly figure on the page; the modebar's camera button downloads a PNG.
document.querySelectorAll(".outcome-chart .plot[data-figure]").forEach(function (element) {
  var source = document.getElementById(element.dataset.figure);
  if (!source || !window.Plotly) { return; }
  var figure = JSON.parse(source.textContent);
  window.Plotly.newPlot(element, figure.data, figure.layout, {
    responsive: true,
    displaylogo: false,
    showSendToCloud: false, // no third-party service: PNG download only
    toImageButtonOptions: { format: "png", filename: element.dataset.name, scale: 2 },
  });
});
