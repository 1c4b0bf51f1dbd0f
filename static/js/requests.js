/* Model request boards: drag-and-drop on top of plain forms (everything works without this file).
   - backlog: the rank form posts through htmx (hx-post), and the server answers the board re-rendered;
     dropping a row fills the form's "move" field ("<id>:before|after:<other id>") and submits it. The
     buttons (↑ ↓ and a row's "move to rank" box) post the same form; without a reason typed, ask for
     it before sending. Listeners sit on the document, so they hold for the board htmx swaps in.
   - inline scoring: htmx posts a changed input of a score form and swaps in the server's form
     (attributes in templates/modelrequests/_score_box.html); only the Save button is hidden here.
   - kanban: picking a status in a card's Move menu posts it through htmx (hx-post), dropping a card on
     a column too; the server answers the board re-rendered, or a refusal in words. */
(function () {
  "use strict";

  function backlog() {
    var dragged = null;
    function rankable(node) {
      var row = node && node.closest ? node.closest("tr.backlog-row") : null;
      return row && row.closest("#backlog[data-rankable]") ? row : null;
    }
    function askReason() {
      var reason = document.getElementById("rank-reason");
      var why = (reason && reason.value.trim()) || window.prompt("Why does it go here? (kept with the ranking)");
      if (why && reason) reason.value = why;
      return why;
    }
    function clearMarks() {
      document.querySelectorAll("#backlog .drop-before, #backlog .drop-after").forEach(function (r) {
        r.classList.remove("drop-before", "drop-after");
      });
    }
    /* htmx asks before it sends the rank form: nothing to move (Enter in the reason field presses the
       hidden default button) or no reason given: not sent. */
    document.addEventListener("htmx:confirm", function (event) {
      var form = event.detail.elt;
      if (!form || form.id !== "rank-form") return;
      var submitter = event.detail.triggeringEvent && event.detail.triggeringEvent.submitter;
      var typed = Array.prototype.some.call(document.querySelectorAll(".rank-box"), function (box) {
        return box.value !== "";
      });
      var nothing = submitter && submitter.name === "move_to" && !submitter.value && !typed;
      if (nothing || !askReason()) event.preventDefault();
    });
    document.addEventListener("htmx:afterRequest", function (event) {
      var move = document.getElementById("rank-move");
      if (event.detail.elt && event.detail.elt.id === "rank-form" && move) move.disabled = true;
    });
    document.addEventListener("dragstart", function (event) {
      var row = rankable(event.target);
      if (!row) return;
      dragged = row;
      row.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.dataset.id);
    });
    document.addEventListener("dragend", function (event) {
      var row = rankable(event.target);
      if (row) row.classList.remove("dragging");
      dragged = null;
      clearMarks();
    });
    document.addEventListener("dragover", function (event) {
      var row = rankable(event.target);
      if (!dragged || !row || dragged === row) return;
      event.preventDefault();
      var box = row.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      row.classList.toggle("drop-after", after);
      row.classList.toggle("drop-before", !after);
    });
    document.addEventListener("dragleave", function (event) {
      var row = rankable(event.target);
      if (row && !row.contains(event.relatedTarget)) row.classList.remove("drop-before", "drop-after");
    });
    document.addEventListener("drop", function (event) {
      var row = rankable(event.target);
      if (!dragged || !row) return;
      event.preventDefault();
      if (dragged === row) return;
      var where = row.classList.contains("drop-after") ? "after" : "before";
      var id = dragged.dataset.id;
      clearMarks();
      if (!askReason()) return;
      var move = document.getElementById("rank-move");
      move.disabled = false;
      move.value = id + ":" + where + ":" + row.dataset.id;
      document.getElementById("rank-form").requestSubmit(); // through htmx, as a button would
    });
  }

  /* Kanban: a status picked in a card's Move menu posts the menu's form through htmx (hx-post); a card
     dropped on a column is posted the same way (htmx.ajax). The server applies the workflow: a done
     move answers the board as it renders it now (counts, WIP limits, the card in its new column) with
     the answer in words above it, swapped in without reloading the page; a refused one (403 naming who
     may, 409 naming the moves allowed) answers in words into the page's alert region and the card
     stays. Here only: the moved card is marked and, after a move from its menu, its menu gets the focus
     back. While a card is dragged, the columns it may go to in its lane are outlined. Events are
     delegated to the board's wrapper, so the board swapped in works the same. */
  function kanban() {
    var wrap = document.getElementById("kanban-wrap");
    if (!wrap || !document.getElementById("kanban")) return;
    document.documentElement.classList.add("js-kanban");
    var dragged = null;
    var moving = null; // {id, viaMenu} from the request htmx sends until its answer is swapped in

    function board() { return document.getElementById("kanban"); }
    function menuOf(id) {
      var card = board() && board().querySelector('.kcard[data-id="' + id + '"]');
      return card ? { card: card, summary: card.querySelector(".kmenu summary") } : null;
    }

    function move(card, status) {
      var form = card.querySelector("form.kmove");
      var url = form ? form.getAttribute("hx-post") : board().dataset.moveUrl.replace("/0/", "/" + card.dataset.id + "/");
      var token = document.querySelector("#kanban [name=csrfmiddlewaretoken]").value;
      window.htmx.ajax("POST", url, {
        source: card, target: "#kanban-wrap", swap: "innerHTML",
        values: { to: status, csrfmiddlewaretoken: token }
      });
    }

    document.addEventListener("htmx:beforeRequest", function (event) {
      var elt = event.detail.elt;
      var card = elt && wrap.contains(elt) && elt.closest(".kcard");
      if (card) moving = { id: card.dataset.id, viaMenu: elt.matches("form.kmove") };
    });
    document.addEventListener("htmx:beforeSwap", function (event) {
      if (moving) moving.done = event.detail.xhr.status < 400;
    });
    document.addEventListener("htmx:afterSettle", function (event) {
      var target = event.detail.target;
      if (!moving || target !== (moving.done ? wrap : document.getElementById("page-answer"))) return;
      var found = menuOf(moving.id);
      if (moving.done) {
        applyFolds();
        if (found) found.card.classList.add("just-moved");
      }
      if (found && found.summary && (moving.viaMenu || !moving.done)) found.summary.focus();
      moving = null;
    });

    function clearMarks() {
      wrap.querySelectorAll(".drop-ok, .drop-no, .drop-target").forEach(function (cell) {
        cell.classList.remove("drop-ok", "drop-no", "drop-target");
      });
    }

    wrap.addEventListener("dragstart", function (event) {
      var card = event.target.closest && event.target.closest(".kcard");
      if (!card) return;
      dragged = card;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.dataset.id);
      card.classList.add("dragging");
      var allowed = (card.dataset.moves || "").split(" ");
      var lane = card.closest(".kdrop").dataset.lane;
      wrap.querySelectorAll(".kdrop").forEach(function (cell) {
        if (cell.dataset.lane !== lane || cell === card.parentNode) return;
        cell.classList.add(allowed.indexOf(cell.dataset.status) >= 0 ? "drop-ok" : "drop-no");
      });
    });
    wrap.addEventListener("dragend", function (event) {
      var card = event.target.closest && event.target.closest(".kcard");
      if (card) card.classList.remove("dragging");
      dragged = null;
      clearMarks();
    });
    wrap.addEventListener("dragover", function (event) {
      var cell = event.target.closest && event.target.closest(".kdrop");
      if (!dragged || !cell) return;
      event.preventDefault();
      cell.classList.add("drop-target");
    });
    wrap.addEventListener("dragleave", function (event) {
      var cell = event.target.closest && event.target.closest(".kdrop");
      if (cell && !cell.contains(event.relatedTarget)) cell.classList.remove("drop-target");
    });
    wrap.addEventListener("drop", function (event) {
      var cell = event.target.closest && event.target.closest(".kdrop");
      if (!cell) return;
      event.preventDefault();
      var card = dragged;
      clearMarks();
      if (!card || card.parentNode.dataset.status === cell.dataset.status) return;
      move(card, cell.dataset.status);
    });

    /* The Move menu: its buttons post its form through htmx; opening it focuses the first move; Escape
       closes it. */
    wrap.addEventListener("toggle", function (event) {
      var menu = event.target;
      if (!menu.classList || !menu.classList.contains("kmenu") || !menu.open) return;
      var first = menu.querySelector("button");
      if (first) first.focus();
    }, true);
    wrap.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      var menu = event.target.closest(".kmenu[open]");
      if (!menu) return;
      menu.open = false;
      menu.querySelector("summary").focus();
    });

    /* Folding columns: a header's button folds or shows the column; remembered in this browser. */
    var key = "kanban-folded";
    function savedFolds() {
      try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
    }
    function fold(status, folded) {
      wrap.querySelectorAll('.kcell[data-status="' + status + '"]').forEach(function (cell) {
        cell.classList.toggle("folded", folded);
      });
      var button = wrap.querySelector('.kfold[data-fold="' + status + '"]');
      button.setAttribute("aria-expanded", folded ? "false" : "true");
      button.firstElementChild.textContent = folded ? "▸" : "▾";
    }
    function applyFolds() {
      var saved = savedFolds();
      wrap.querySelectorAll(".kfold").forEach(function (button) {
        button.hidden = false;
        var status = button.dataset.fold;
        if (saved && typeof saved[status] === "boolean") fold(status, saved[status]);
      });
    }
    wrap.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest(".kfold");
      if (!button) return;
      var status = button.dataset.fold;
      var folded = button.getAttribute("aria-expanded") === "true";
      fold(status, folded);
      var state = savedFolds() || {};
      state[status] = folded;
      try { window.localStorage.setItem(key, JSON.stringify(state)); } catch (e) { /* private mode */ }
    });
    applyFolds();
  }

  document.addEventListener("DOMContentLoaded", function () {
    backlog();
    document.documentElement.classList.add("js-scoring"); // htmx saves a changed input: no Save button
    kanban();
  });
})();
