/* Model request boards: drag-and-drop on top of plain forms (everything works without this file).
   - backlog: the rank form posts through htmx (hx-post), and the server answers the board re-rendered;
     dropping a row fills the form's "move" field ("<id>:before|after:<other id>") and submits it. The
     buttons (↑ ↓ and a row's "move to rank" box) post the same form; without a reason typed, ask for
     it before sending. Listeners sit on the document, so they hold for the board htmx swaps in.
   - inline scoring: htmx posts a changed input of a score form and swaps in the server's form
     (attributes in templates/modelrequests/_score_box.html); only the Save button is hidden here.
   - kanban: dropping a card on a column, or picking a status in its Move menu, posts the move; the
     server applies the workflow and a refusal is shown in words above the board. */
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

  /* Kanban: a card dropped on a column, or a status picked in the card's Move menu, is posted to the
     move endpoint; the server applies the workflow. A done move says so above the board and swaps in
     the board as the server renders it now (through htmx, as a fragment: counts, WIP limits, the card in
     its new column), without reloading the page; a refused one (403 naming who may, 409 naming the
     moves allowed) is shown above the board and the card stays. While a card is dragged, the columns
     it may go to in its lane are outlined. Events are delegated to the board's wrapper, so the board
     swapped in works the same. */
  function kanban() {
    var wrap = document.getElementById("kanban-wrap");
    if (!wrap || !document.getElementById("kanban")) return;
    document.documentElement.classList.add("js-kanban");
    var answer = document.getElementById("kanban-answer");
    var dragged = null;

    function board() { return document.getElementById("kanban"); }

    function say(text, ok) {
      answer.hidden = false;
      answer.textContent = text;
      answer.classList.toggle("ok", !!ok);
    }

    function refresh(movedId, viaMenu) {
      // htmx asks the page's own URL; the view answers the board fragment (apps/core/fragments.py).
      return window.htmx.ajax("GET", window.location.href, { target: "#kanban-wrap", swap: "innerHTML" }).then(function () {
        if (!board()) throw new Error("no board");
        applyFolds();
        wrap.dataset.refreshed = String(Number(wrap.dataset.refreshed || 0) + 1);
        var moved = board().querySelector('.kcard[data-id="' + movedId + '"]');
        if (moved) {
          moved.classList.add("just-moved");
          var summary = moved.querySelector(".kmenu summary");
          if (viaMenu && summary) summary.focus();
        }
      });
    }

    function move(card, status, viaMenu) {
      var form = card.querySelector("form.kmove");
      var body = new FormData();
      body.append("csrfmiddlewaretoken", document.querySelector("[name=csrfmiddlewaretoken]").value);
      body.append("to", status);
      var url = form ? form.action : board().dataset.moveUrl.replace("/0/", "/" + card.dataset.id + "/");
      var id = card.dataset.id;
      say("Moving #" + id + "…", true);
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      }).then(function (response) {
        return response.json().then(function (data) {
          if (response.ok) {
            say(data.detail, true);
            return refresh(id, viaMenu).catch(function () {
              say(data.detail + " Reload the page to see the board as it is now.", true);
            });
          }
          say(data.detail || "Not moved (HTTP " + response.status + ").", false);
          var summary = card.querySelector(".kmenu summary");
          if (summary) summary.focus();
        });
      }).catch(function (error) {
        say("Not moved: " + error.message + ". Try again or reload the page.", false);
      });
    }

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
      move(card, cell.dataset.status, false);
    });

    /* The Move menu: its buttons post through the same path; Escape closes it. */
    wrap.addEventListener("submit", function (event) {
      var form = event.target.closest("form.kmove");
      if (!form || !event.submitter) return;
      event.preventDefault();
      move(form.closest(".kcard"), event.submitter.value, true);
    });
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
