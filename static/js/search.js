// The header search box: suggestions as the user types (a fragment the server renders), moved through
// with the arrow keys, opened with Enter, closed with Escape. Without JavaScript the form still submits
// to the results page.
(function () {
  "use strict";
  const form = document.querySelector("[data-search]");
  if (!form) return;
  const input = form.querySelector("input[type=search]");
  const list = form.querySelector("[role=listbox]");
  let timer = null;
  let controller = null;

  function options() { return Array.from(list.querySelectorAll("[role=option]")); }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function select(option) {
    options().forEach(function (o) { o.setAttribute("aria-selected", String(o === option)); });
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }
  }

  async function suggest() {
    const q = input.value.trim();
    if (q.length < 2) { close(); return; }
    if (controller) controller.abort();
    controller = new AbortController();
    try {
      const response = await fetch(form.dataset.suggestions + "?q=" + encodeURIComponent(q),
        { signal: controller.signal, credentials: "same-origin" });
      if (!response.ok) { close(); return; }
      list.innerHTML = await response.text();
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    } catch (error) {
      if (error.name !== "AbortError") close();
    }
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(suggest, 150);
  });
  input.addEventListener("keydown", function (event) {
    const all = options();
    const current = all.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
    if (event.key === "ArrowDown" && all.length) {
      event.preventDefault();
      select(all[(current + 1) % all.length]);
    } else if (event.key === "ArrowUp" && all.length) {
      event.preventDefault();
      select(all[(current - 1 + all.length) % all.length]);
    } else if (event.key === "Enter" && current >= 0) {
      event.preventDefault();
      window.location.href = all[current].href;
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault(); // the first Escape closes the list; only a second one clears the field
      clearTimeout(timer);
      close();
    }
  });
  document.addEventListener("click", function (event) {
    if (!form.contains(event.target)) close();
  });
})();
