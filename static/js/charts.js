/* Every chart of the portal: <div data-chart="ID"> beside <script type="application/json" id="ID">
   holding the plotly figure ({% chart %}, apps/core/templatetags/charts.py). plotly.js (4.8 MB) is
   fetched only on pages that have a chart, after the page is shown; the charts take the page's
   colours (light or dark theme, static/css/portal.css) and follow a theme change. Above each chart,
   PNG downloads the drawing and CSV the rows behind it (a link to the page's own export, or the
   figure's points, one row each); a point whose customdata is a portal path opens it when clicked. */
(function () {
  "use strict";
  var script = document.currentScript;
  var plotlySource = script && script.getAttribute("data-plotly");
  var plotlyStyles = script && script.getAttribute("data-plotly-css");
  var skippedStyles = ((script && script.getAttribute("data-plotly-skip-styles")) || "").split(" ").filter(Boolean);
  var loading = null;

  function loadPlotly() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        /* plotly's own style rules as a stylesheet: the CSP refuses the <style> it would add */
        var styles = document.createElement("link");
        styles.rel = "stylesheet";
        styles.href = plotlyStyles;
        /* plotly looks its style element up by this id; the class tells it to add none of its own */
        styles.id = "plotly.js-style-global";
        styles.className = "no-inline-styles";
        document.head.appendChild(styles);
        /* styles of traces the portal never draws (maps): an element with their id makes plotly skip them */
        skippedStyles.forEach(function (id) {
          var placeholder = document.createElement("template");
          placeholder.id = id;
          document.head.appendChild(placeholder);
        });
        var tag = document.createElement("script");
        tag.src = plotlySource;
        tag.onload = function () { resolve(window.Plotly); };
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
    }
    return loading;
  }

  /* The page's colours, resolved (the custom properties hold light-dark() pairs). */
  function colours() {
    var probe = document.createElement("span");
    probe.hidden = true;
    document.body.appendChild(probe);
    function resolve(name) {
      probe.style.color = "var(" + name + ")";
      return window.getComputedStyle(probe).color;
    }
    var found = { fg: resolve("--fg"), muted: resolve("--muted"), line: resolve("--line"), zero: resolve("--field-line"), card: resolve("--card") };
    probe.remove();
    return found;
  }

  function themeLayout(figure) {
    var c = colours();
    var layout = {
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      "font.color": c.fg,
      "legend.bgcolor": "rgba(0,0,0,0)",
      "hoverlabel.bgcolor": c.card,
      "hoverlabel.font.color": c.fg,
      "hoverlabel.bordercolor": c.line
    };
    var axes = ["xaxis", "yaxis"].concat(Object.keys(figure.layout || {}).filter(function (key) {
      return /^[xy]axis\d+$/.test(key);
    }));
    axes.forEach(function (axis) {
      layout[axis + ".gridcolor"] = c.line;
      layout[axis + ".zerolinecolor"] = c.zero;
      layout[axis + ".linecolor"] = c.zero;
    });
    return layout;
  }

  function apply(layout, changes) {
    Object.keys(changes).forEach(function (path) {
      var parts = path.split(".");
      var node = layout;
      parts.slice(0, -1).forEach(function (part) {
        if (typeof node[part] !== "object" || node[part] === null) node[part] = {};
        node = node[part];
      });
      node[parts[parts.length - 1]] = changes[path];
    });
    return layout;
  }

  function draw(Plotly, element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source) return;
    var figure = JSON.parse(source.textContent);
    var layout = apply(figure.layout || {}, themeLayout(figure));
    element._portalFigure = figure;
    Plotly.newPlot(element, figure.data, layout, {
      responsive: true,
      displaylogo: false,
      showSendToCloud: false,
      toImageButtonOptions: { format: "png", filename: element.getAttribute("data-chart"), scale: 2 }
    }).then(function () {
      element.setAttribute("data-chart-drawn", "");
      offerDownloads(Plotly, element);
      element.on("plotly_click", function (event) {
        var url = event.points[0] && event.points[0].customdata;
        if (typeof url === "string" && url.charAt(0) === "/") window.location.href = url;
      });
    });
  }

  /* plotly.py sends number arrays as {dtype, bdata (base64), shape}: back to plain arrays. */
  var TYPED = { f8: Float64Array, f4: Float32Array, i4: Int32Array, u4: Uint32Array, i2: Int16Array,
    u2: Uint16Array, i1: Int8Array, u1: Uint8Array, u1c: Uint8ClampedArray };
  function values(data) {
    if (!data || typeof data !== "object" || Array.isArray(data) || !data.bdata) return data;
    var raw = window.atob(data.bdata);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    var flat = Array.prototype.slice.call(new TYPED[data.dtype](bytes.buffer));
    var shape = String(data.shape || "").split(",").map(Number).filter(Boolean);
    if (shape.length < 2) return flat;
    var rows = [];
    for (var r = 0; r < shape[0]; r++) rows.push(flat.slice(r * shape[1], (r + 1) * shape[1]));
    return rows;
  }

  function cell(value) {
    if (value === null || value === undefined || (typeof value === "number" && isNaN(value))) return "";
    var text = String(value);
    return /[",\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  /* One row per drawn point: series, x, y (a heatmap: y, x and the value). */
  function figureRows(figure) {
    var heatmap = (figure.data || []).some(function (trace) { return trace.type === "heatmap"; });
    var rows = [heatmap ? ["series", "y", "x", "value"] : ["series", "x", "y"]];
    (figure.data || []).forEach(function (trace, index) {
      var name = trace.name || "series " + (index + 1);
      var x = values(trace.x) || [], y = values(trace.y) || [], z = values(trace.z);
      if (trace.type === "heatmap" && z) {
        z.forEach(function (row, i) {
          row.forEach(function (value, j) { rows.push([name, y[i] !== undefined ? y[i] : i, x[j] !== undefined ? x[j] : j, value]); });
        });
        return;
      }
      var count = Math.max(x.length, y.length);
      for (var i = 0; i < count; i++) rows.push(heatmap ? [name, y[i], x[i], ""] : [name, x[i], y[i]]);
    });
    return rows;
  }

  function download(filename, text) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
    link.download = filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }

  function offerDownloads(Plotly, element) {
    var id = element.getAttribute("data-chart");
    var tools = document.querySelector('[data-chart-export="' + id + '"]');
    if (!tools) return;
    var png = tools.querySelector("[data-chart-png]");
    var csv = tools.querySelector("[data-chart-csv]");
    if (png) png.addEventListener("click", function () {
      Plotly.downloadImage(element, { format: "png", filename: id, scale: 2 });
    });
    if (csv) csv.addEventListener("click", function () {
      var text = figureRows(element._portalFigure).map(function (row) { return row.map(cell).join(","); }).join("\r\n");
      download(id + ".csv", text + "\r\n");
    });
    tools.hidden = false;
  }

  function retheme() {
    if (!window.Plotly) return;
    document.querySelectorAll("[data-chart-drawn]").forEach(function (element) {
      window.Plotly.relayout(element, themeLayout(element._portalFigure));
    });
  }

  function start() {
    var charts = document.querySelectorAll("[data-chart]");
    if (!charts.length) return;
    loadPlotly().then(function (Plotly) {
      charts.forEach(function (element) { draw(Plotly, element); });
    });
  }

  document.addEventListener("portal:themechange", retheme);
  if (window.matchMedia) {
    var query = window.matchMedia("(prefers-color-scheme: dark)");
    if (query.addEventListener) query.addEventListener("change", retheme);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
