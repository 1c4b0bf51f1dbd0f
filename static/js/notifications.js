// The bell's unread count, fetched after the page loads (rendering a page costs no query for it).
(function () {
  const bell = document.querySelector("[data-unread-url]");
  if (!bell) return;
  const badge = bell.querySelector(".bell-count");
  fetch(bell.dataset.unreadUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then((response) => (response.ok ? response.json() : null))
    .then((data) => {
      if (!data || !data.unread) return;
      badge.textContent = data.unread > 99 ? "99+" : String(data.unread);
      badge.hidden = false;
      bell.setAttribute("aria-label", `Notifications, ${data.unread} unread`);
    })
    .catch(() => {});
})();
