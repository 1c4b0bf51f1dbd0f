/* The topology: pointing at a team (or focusing its link) lights its interactions and the teams at
   their other ends and fades the rest; the server draws everything, this only toggles classes. */
(function () {
  "use strict";
  var svg = document.getElementById("topology");
  if (!svg) return;
  var edges = Array.prototype.slice.call(svg.querySelectorAll(".edge[data-teams]"));
  var nodes = Array.prototype.slice.call(svg.querySelectorAll(".node[data-team]"));

  function light(slug) {
    var partners = {};
    partners[slug] = true;
    edges.forEach(function (edge) {
      var teams = edge.getAttribute("data-teams").split(" ");
      var lit = teams.indexOf(slug) !== -1;
      edge.classList.toggle("lit", lit);
      if (lit) teams.forEach(function (team) { partners[team] = true; });
    });
    nodes.forEach(function (node) { node.classList.toggle("lit", !!partners[node.getAttribute("data-team")]); });
    svg.classList.add("highlighting");
  }

  function clear() {
    svg.classList.remove("highlighting");
    edges.concat(nodes).forEach(function (element) { element.classList.remove("lit"); });
  }

  nodes.forEach(function (node) {
    var slug = node.getAttribute("data-team");
    node.addEventListener("mouseenter", function () { light(slug); });
    node.addEventListener("focus", function () { light(slug); });
    node.addEventListener("mouseleave", clear);
    node.addEventListener("blur", clear);
  });
})();
