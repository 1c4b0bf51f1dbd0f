// Draw the server-built plotly figures of the registry pages (progressive enhancement).
document.addEventListener("DOMContentLoaded", () => {
  const data = document.getElementById("metric-chart-data");
  const target = document.getElementById("metric-chart");
  if (data && target && window.Plotly) {
    const figure = JSON.parse(data.textContent);
    Plotly.newPlot(target, figure.data, figure.layout, { displayModeBar: false, responsive: true });
  }
});
