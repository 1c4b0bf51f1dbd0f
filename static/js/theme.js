/* Runs in <head>, before the first paint: marks that scripts run (the menu button and the theme toggle
   need them) and applies the theme the user picked, stored in localStorage, so a dark page never
   flashes light. Without a stored choice the stylesheet follows prefers-color-scheme. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  try {
    var theme = window.localStorage.getItem("portal-theme");
    if (theme === "light" || theme === "dark") root.setAttribute("data-theme", theme);
  } catch (error) {
    /* storage refused (private mode): follow the system preference */
  }
})();
