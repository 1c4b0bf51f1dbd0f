/* Model request boards: drag-and-drop on top of plain forms (everything works without this file).
   - backlog: dropping a row fills the rank form's "move" field ("<id>:before|after:<other id>") and
     submits it; the server places the request and keeps the reason. The buttons (↑ ↓ and a row's
     "move to rank" box) post the same form; without a reason typed, ask for it before sending.
   - kanban: dropping a card on a column submits the card's move form with that status; the server
     applies the workflow and shows a refusal naming the allowed moves. */
(function () {
  "use strict";

  function backlog() {
    var table = document.querySelector("#backlog[data-rankable]");
    if (!table) return;
    var form = document.getElementById("rank-form");
    var moveField = document.getElementById("rank-move");
    var reason = document.getElementById("rank-reason");
    var dragged = null;
    function askReason() {
      var why = (reason && reason.value.trim()) || window.prompt("Why does it go here? (kept with the ranking)");
      if (why && reason) reason.value = why;
      return why;
    }
    form.addEventListener("submit", function (event) {
      var typed = Array.prototype.some.call(document.querySelectorAll(".rank-box"), function (box) {
        return box.value !== "";
      });
      /* Enter in the reason field presses the hidden default button: nothing to move yet */
      var nothing = event.submitter && event.submitter.name === "move_to" && !event.submitter.value && !typed;
      if (nothing || !askReason()) event.preventDefault();
    });
    table.querySelectorAll("tr.backlog-row").forEach(function (row) {
      row.addEventListener("dragstart", function (event) {
        dragged = row;
        row.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", row.dataset.id);
      });
      row.addEventListener("dragend", function () {
        row.classList.remove("dragging");
        table.querySelectorAll(".drop-before, .drop-after").forEach(function (r) {
          r.classList.remove("drop-before", "drop-after");
        });
      });
      row.addEventListener("dragover", function (event) {
        if (!dragged || dragged === row) return;
        event.preventDefault();
        var box = row.getBoundingClientRect();
        var after = event.clientY > box.top + box.height / 2;
        row.classList.toggle("drop-after", after);
        row.classList.toggle("drop-before", !after);
      });
      row.addEventListener("dragleave", function () {
        row.classList.remove("drop-before", "drop-after");
      });
      row.addEventListener("drop", function (event) {
        event.preventDefault();
        if (!dragged || dragged === row) return;
        var where = row.classList.contains("drop-after") ? "after" : "before";
        if (!askReason()) return;
        moveField.disabled = false;
        moveField.value = dragged.dataset.id + ":" + where + ":" + row.dataset.id;
        form.submit();
      });
    });
  }

  /* Inline scoring: a changed select (or number box) of a score form posts that form and swaps in
     the server's re-rendered form, with the new score and rank or the refusal in words. */
  function inlineScoring() {
    document.documentElement.classList.add("js-scoring");
    document.addEventListener("change", function (event) {
      var form = event.target.closest && event.target.closest("form[data-inline-score]");
      if (!form || !event.target.name) return;
      var status = form.querySelector(".score-status");
      if (status) status.textContent = "Saving…";
      var body = new FormData();
      ["csrfmiddlewaretoken", "method", event.target.name].forEach(function (name) {
        var field = form.elements[name];
        if (field) body.append(name, field.value);
      });
      fetch(form.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-Fragment": "score-box" }
      }).then(function (response) {
        return response.text().then(function (html) {
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.querySelector("form[data-inline-score]");
          if (!fresh) throw new Error("HTTP " + response.status);
          form.replaceWith(fresh);
          var focus = fresh.elements[event.target.name];
          if (focus && focus.focus) focus.focus();
        });
      }).catch(function (error) {
        if (status) status.textContent = "Not saved (" + error.message + "); press Save to try again.";
      });
    });
  }

  function kanban() {
    var board = document.getElementById("kanban");
    if (!board) return;
    board.querySelectorAll(".kcard").forEach(function (card) {
      card.addEventListener("dragstart", function (event) {
        event.dataTransfer.setData("text/plain", card.dataset.id);
        card.classList.add("dragging");
      });
      card.addEventListener("dragend", function () { card.classList.remove("dragging"); });
    });
    board.querySelectorAll(".kcol").forEach(function (column) {
      column.addEventListener("dragover", function (event) {
        event.preventDefault();
        column.classList.add("drop-target");
      });
      column.addEventListener("dragleave", function () { column.classList.remove("drop-target"); });
      column.addEventListener("drop", function (event) {
        event.preventDefault();
        column.classList.remove("drop-target");
        var card = board.querySelector('.kcard[data-id="' + event.dataTransfer.getData("text/plain") + '"]');
        if (!card || card.parentNode === column) return;
        var form = card.querySelector("form.kmove");
        var select = form.querySelector("select[name=to]");
        var status = column.dataset.status;
        if (!select.querySelector('option[value="' + status + '"]')) {
          /* not an allowed move: still ask the server, which refuses and names the allowed moves */
          var option = document.createElement("option");
          option.value = status;
          option.textContent = status;
          select.appendChild(option);
        }
        select.value = status;
        form.submit();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    backlog();
    inlineScoring();
    kanban();
  });
})();
