// The import page: polls the import's status (GET /api/v1/imports/<id>) until it is done or
// failed, and fills in the progress bar and the summary. Polling, not SSE: an import lasts
// seconds to a minute and the gunicorn workers need not hold a connection for it.
(function () {
  "use strict";
  const box = document.getElementById("import-status");
  if (!box) return;
  const url = box.dataset.statusUrl;
  const FINAL = new Set(["done", "failed"]);

  function show(status) {
    const state = document.getElementById("import-state");
    state.innerHTML = "";
    const badge = document.createElement("span");
    badge.className = "badge state-" + status.state;
    badge.textContent = status.state;
    state.appendChild(badge);
    document.getElementById("import-phase").textContent = status.phase || "";
    document.getElementById("import-progress").value = status.progress;
    document.getElementById("import-percent").textContent = Math.round(status.progress * 100) + " %";
    box.querySelectorAll("[data-count]").forEach(function (cell) {
      cell.textContent = status[cell.dataset.count];
    });
    const error = document.getElementById("import-error");
    error.hidden = !status.error;
    error.textContent = status.error || "";
    document.getElementById("rejects-link").hidden = status.state !== "done";
    box.dataset.state = status.state;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (status) {
        show(status);
        if (!FINAL.has(status.state)) setTimeout(poll, 700);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  if (!FINAL.has(box.dataset.state)) poll();
})();
