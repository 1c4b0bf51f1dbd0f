/* Self-service training: progressive enhancement of the "train a model" form and the job page.
   Everything works without it (the form shows every estimator's parameters; the job page refreshes). The
   progress of a job or a dataset is followed by htmx, not here. */
(function () {
  "use strict";

  function inferTask(column) {
    if (!column) return "";
    if (column.type === "string" || column.type === "boolean") return "classification";
    if (column.type === "integer" && column.distinct_count <= 20) return "classification";
    return "regression";
  }

  function setUpTrainingForm(form) {
    var config = JSON.parse(document.getElementById("training-form-config").textContent);
    var dataset = form.querySelector("[name=dataset_version]");
    var target = form.querySelector("[name=target]");
    var task = form.querySelector("[name=task]");
    var estimator = form.querySelector("[name=estimator]");
    var hint = form.querySelector("[data-task-hint]");
    var columns = {};
    config.columns.forEach(function (column) { columns[column.name] = column; });

    dataset.addEventListener("change", function () {
      var joiner = config.formUrl.indexOf("?") < 0 ? "?" : "&";
      window.location = config.formUrl + joiner + "dataset=" + encodeURIComponent(dataset.value);
    });

    function currentTask() {
      return task.value || inferTask(columns[target.value]);
    }

    function syncFeatures() {
      form.querySelectorAll("[name=features]").forEach(function (box) {
        var isTarget = box.value === target.value;
        if (isTarget) box.checked = false;
        if (!isTarget && box.disabled) box.checked = true; // the previous target becomes a feature again
        box.disabled = isTarget;
        box.closest("label, div").classList.toggle("is-target", isTarget);
      });
    }

    function syncEstimators() {
      var wanted = currentTask();
      var firstAllowed = null;
      Array.prototype.forEach.call(estimator.options, function (option) {
        var spec = config.estimators.find(function (s) { return s.key === option.value; });
        var allowed = !wanted || spec.tasks.indexOf(wanted) >= 0;
        option.disabled = !allowed;
        option.hidden = !allowed;
        if (allowed && firstAllowed === null) firstAllowed = option.value;
      });
      if (estimator.selectedOptions[0] && estimator.selectedOptions[0].disabled && firstAllowed) {
        estimator.value = firstAllowed;
      }
      form.querySelectorAll(".param-group").forEach(function (group) {
        group.hidden = group.dataset.estimator !== estimator.value;
      });
      var column = columns[target.value];
      if (hint && column) {
        hint.textContent = "Target " + column.name + " holds " + column.type + " values (" + column.distinct_count +
          " distinct): " + (task.value ? "you chose " + task.value : "inferred task: " + inferTask(column)) + ".";
      }
    }

    target.addEventListener("change", function () { syncFeatures(); syncEstimators(); });
    task.addEventListener("change", syncEstimators);
    estimator.addEventListener("change", syncEstimators);
    form.addEventListener("submit", function () {
      // Only the chosen estimator's parameters are sent.
      form.querySelectorAll(".param-group[hidden] input, .param-group[hidden] select").forEach(function (input) {
        input.disabled = true;
      });
    });
    syncFeatures();
    syncEstimators();
  }

  /* The job page: htmx polls the server-rendered progress card (templates/training/_job_progress.html)
     and swaps in the log the server renders; here the log box only keeps following its newest line,
     unless it was scrolled back. */
  function setUpJobLog(box) {
    var atEnd = true;
    box.scrollTop = box.scrollHeight; // open on the newest line
    document.addEventListener("htmx:oobBeforeSwap", function (event) {
      if (event.detail.target && event.detail.target.id === "job-log") {
        atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
      }
    });
    document.addEventListener("htmx:oobAfterSwap", function (event) {
      if (event.detail.target && event.detail.target.id === "job-log" && atEnd) box.scrollTop = box.scrollHeight;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("training-form");
    if (form) setUpTrainingForm(form);
    var log = document.getElementById("job-log");
    if (log) setUpJobLog(log.parentNode);
  });
})();
