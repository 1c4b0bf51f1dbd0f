/* The model request form: choosing the requesting team fills in its value stream, and the KPI list
   offers only that stream's KPIs (each option carries data-stream). Without this file the server
   still fills an empty stream from the team and refuses a KPI of another stream. */
(function () {
  "use strict";

  function streamOf(select) {
    var option = select && select.options[select.selectedIndex];
    return option ? option.getAttribute("data-stream") || "" : "";
  }

  function setUp(team) {
    var streamSelect = document.getElementById(team.getAttribute("data-fills-stream"));
    if (!streamSelect) return;
    var kpi = document.querySelector('select[data-kpi-of-stream="' + streamSelect.id + '"]');

    function stream() {
      return streamSelect.value || streamOf(team);
    }

    function filterKpis() {
      if (!kpi) return; /* the KPI is free text while no stream has KPIs */
      var chosen = stream();
      var offered = kpi.querySelector('option[data-stream="' + chosen + '"]') !== null;
      Array.prototype.forEach.call(kpi.querySelectorAll("optgroup"), function (group) {
        /* a stream with no KPIs yet keeps every KPI on offer (the server decides) */
        var show = !chosen || !offered || Array.prototype.some.call(group.children, function (option) {
          return option.getAttribute("data-stream") === chosen;
        });
        group.hidden = !show;
        group.disabled = !show;
      });
      var current = kpi.options[kpi.selectedIndex];
      if (current && current.parentNode.tagName === "OPTGROUP" && current.parentNode.disabled) {
        kpi.value = "";
      }
    }

    team.addEventListener("change", function () {
      var teamStream = streamOf(team);
      if (teamStream) streamSelect.value = teamStream;
      filterKpis();
    });
    streamSelect.addEventListener("change", filterKpis);
    filterKpis();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-fills-stream]"), setUp);
  });
})();
