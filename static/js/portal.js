/* Every page: the menu button of small screens, the light/dark theme toggle, and wide tables that
   scroll inside their box (made focusable so a keyboard can scroll them too). */
(function () {
  "use strict";
  var root = document.documentElement;

  function setUpMenu() {
    var button = document.querySelector(".menu-toggle");
    var bar = document.querySelector(".topbar");
    if (!button || !bar) return;
    button.hidden = false;
    function setOpen(open) {
      bar.classList.toggle("menu-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && bar.classList.contains("menu-open")) {
        setOpen(false);
        button.focus();
      }
    });
  }

  // The top bar's menus (<details>): one open at a time, closed by a click elsewhere or Escape.
  function setUpNavMenus() {
    var menus = Array.prototype.slice.call(document.querySelectorAll("[data-navmenu]"));
    if (!menus.length) return;
    menus.forEach(function (menu) {
      menu.addEventListener("toggle", function () {
        if (!menu.open) return;
        menus.forEach(function (other) {
          if (other !== menu) other.open = false;
        });
      });
    });
    document.addEventListener("click", function (event) {
      menus.forEach(function (menu) {
        if (menu.open && !menu.contains(event.target)) menu.open = false;
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      menus.forEach(function (menu) {
        if (menu.open) {
          menu.open = false;
          menu.querySelector("summary").focus();
        }
      });
    });
  }

  function currentTheme() {
    var chosen = root.getAttribute("data-theme");
    if (chosen) return chosen;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  function setUpThemeToggle() {
    var button = document.querySelector("[data-theme-toggle]");
    if (!button) return;
    function label() {
      var dark = currentTheme() === "dark";
      button.setAttribute("aria-pressed", dark ? "true" : "false");
      button.title = dark ? "Dark theme is on: switch to the light theme" : "Switch to the dark theme";
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var next = currentTheme() === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try {
        window.localStorage.setItem("portal-theme", next);
      } catch (error) {
        /* not kept across pages, still applied to this one */
      }
      label();
      document.dispatchEvent(new CustomEvent("portal:themechange", { detail: { theme: next } }));
    });
    label();
  }

  function focusableScrollers() {
    document.querySelectorAll(".table, .scroll-x, .job-log").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scroll-focus", "");
      } else if (!scrolls && box.hasAttribute("data-scroll-focus")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-scroll-focus");
      }
    });
  }

  // Bars drawn to a server-given share: the Content-Security-Policy allows no style attributes in
  // the markup, so the width is set here (script-set styles are allowed).
  // Also for the fragments htmx swaps in (htmx:load names the new element).
  function drawProgressBars(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var bars = Array.prototype.slice.call(scope.querySelectorAll("[data-progress]"));
    if (scope.matches && scope.matches("[data-progress]")) bars.push(scope);
    bars.forEach(function (bar) {
      bar.style.width = Math.max(0, Math.min(100, Number(bar.dataset.progress) || 0)) + "%";
    });
  }

  // "Go back" links: the previous page when there is one (no javascript: URLs under the CSP).
  function setUpBackLinks() {
    document.querySelectorAll("a[data-back]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (window.history.length > 1) {
          event.preventDefault();
          window.history.back();
        }
      });
    });
  }

  setUpMenu();
  setUpThemeToggle();
  setUpNavMenus();
  drawProgressBars();
  document.addEventListener("htmx:load", function (event) { drawProgressBars(event.detail.elt); });
  setUpBackLinks();
  focusableScrollers();
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(focusableScrollers, 150);
  });
  window.Portal = window.Portal || {};
  window.Portal.currentTheme = currentTheme;
})();
