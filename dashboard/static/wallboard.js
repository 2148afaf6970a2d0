// The live wallboard: the server renders the page complete; this keeps it current without a
// reload. Each live event for the campaign (server-sent events from /api/v1/events) triggers a
// fetch of the wallboard answer; a timer does the same every few seconds for what no event
// announces. Fetches are coalesced: never two at once, at most one queued behind the current.
// Time in state counts up every second on the server's clock (offset measured on each answer).
(function () {
  "use strict";
  const EVENTS = ["agent_state", "call_answered", "call_connected", "call_abandoned", "call_ended"];
  const MIN_GAP_MS = 500;
  let root, offsetMs = 0, inFlight = false, queued = false, lastFetch = 0;

  function get(data, path) {
    return path.split(".").reduce(function (value, key) {
      return value === null || value === undefined ? undefined : value[key];
    }, data);
  }

  function pct(value) { return value === null || value === undefined ? "—" : (value * 100).toFixed(1) + " %"; }

  function clock(iso) {
    if (!iso) return "—";
    return new Date(iso).toISOString().substring(11, 19) + " UTC";
  }

  function duration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const pad = function (n) { return (n < 10 ? "0" : "") + n; };
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return (h > 0 ? h + ":" + pad(m) : String(m)) + ":" + pad(s % 60);
  }

  function badge(state) {
    const span = document.createElement("span");
    span.className = "badge state-" + state;
    span.textContent = state;
    return span;
  }

  function format(element, data) {
    const fmt = element.getAttribute("data-fmt");
    const path = element.getAttribute("data-k");
    if (fmt && fmt.indexOf("sum:") === 0) {
      return String(fmt.substring(4).split(",").reduce(function (total, p) { return total + (get(data, p) || 0); }, 0));
    }
    const value = get(data, path);
    if (fmt === "pct") return pct(value);
    if (fmt === "ratio") return value === null || value === undefined ? "—" : Number(value).toFixed(2);
    if (fmt === "clock") return clock(value);
    return value === null || value === undefined ? "—" : String(value);
  }

  function renderAgents(data) {
    const body = root.querySelector("[data-agents] tbody");
    const rows = data.agents.map(function (agent) {
      const row = document.createElement("tr");
      row.setAttribute("data-agent", agent.id);
      const name = document.createElement("td");
      name.textContent = agent.display_name || agent.username;
      const state = document.createElement("td");
      state.appendChild(badge(agent.state));
      const time = document.createElement("td");
      time.className = "mono";
      time.setAttribute("data-since", agent.since);
      const reason = document.createElement("td");
      reason.textContent = agent.reason || "";
      row.append(name, state, time, reason, superviseCell(agent));
      return row;
    });
    if (rows.length === 0) {
      const row = document.createElement("tr");
      row.className = "muted";
      const cell = document.createElement("td");
      cell.colSpan = 5;
      cell.textContent = "No agent logged in to this campaign.";
      row.appendChild(cell);
      rows.push(row);
    }
    body.replaceChildren.apply(body, rows);
  }

  // Listen, whisper, barge, leave on the agent's call (POST /api/v1/attempts/<id>/supervise):
  // the worker rings the supervisor's softphone; what became of it comes back as a call_notice
  // with no agent (only supervisors' streams carry those), shown in the status line.
  const SUPERVISE = [["listen", "Listen"], ["whisper", "Whisper"], ["barge", "Barge"], ["leave", "Leave"]];

  function superviseCell(agent) {
    const cell = document.createElement("td");
    // Outbound calls only: an inbound call is held under its id negated, and has no command list.
    if (agent.state !== "on_call" || !(agent.attempt_id > 0)) return cell;
    SUPERVISE.forEach(function (pair) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = pair[1];
      button.setAttribute("data-supervise-mode", pair[0]);
      button.addEventListener("click", function () { supervise(agent.attempt_id, pair[0]); });
      cell.appendChild(button);
    });
    return cell;
  }

  function status(message) {
    const line = root.querySelector("[data-supervise-status]");
    line.textContent = message;
    line.hidden = !message;
  }

  function supervise(attemptId, mode) {
    const url = root.getAttribute("data-supervise").replace("/0/", "/" + attemptId + "/");
    window.dialerFetch(url, {method: "POST", json: {mode: mode}})
      .then(function (response) { return response.json().then(function (body) { return [response, body]; }); })
      .then(function (answer) {
        const response = answer[0], body = answer[1];
        if (response.status === 202) status("Call " + attemptId + ": " + mode + " asked, ringing " + (body.phone || "") + "…");
        else status("Call " + attemptId + ": " + (body.message || response.statusText));
      })
      .catch(function () { status("Call " + attemptId + ": not sent (connection lost)"); });
  }

  function maybeDuration(seconds) { return seconds === null || seconds === undefined ? "—" : duration(seconds); }

  // Inbound queues (the table is there when the campaign has queues): waits as of the answer.
  function renderQueues(data) {
    const body = root.querySelector("[data-queues] tbody");
    if (!body) return;
    body.replaceChildren.apply(body, (data.queues || []).map(function (queue) {
      const row = document.createElement("tr");
      row.setAttribute("data-queue", queue.id);
      const cells = [
        [queue.name, ""], [String(queue.waiting), ""], [maybeDuration(queue.longest_wait_s), "mono"],
        [maybeDuration(queue.estimated_wait_s), "mono"],
        [maybeDuration(queue.handle_s) + " (" + queue.handled_last_hour + " calls)", "mono"],
        [queue.callers.map(function (c) {
          return "#" + c.position + ": " + duration(c.waited_s) + ", " + maybeDuration(c.estimated_wait_s);
        }).join(" · "), "small"],
      ];
      cells.forEach(function (cell, index) {
        const td = document.createElement("td");
        td.textContent = cell[0];
        if (cell[1]) td.className = cell[1];
        if (index === 1) td.setAttribute("data-testid", "queue-waiting");
        if (index === 3) td.setAttribute("data-testid", "queue-estimated");
        row.appendChild(td);
      });
      return row;
    }));
  }

  function render(data) {
    offsetMs = Date.now() - Date.parse(data.server_time);
    root.querySelectorAll("[data-k]").forEach(function (element) {
      if (element.getAttribute("data-fmt") === "badge") {
        element.replaceChildren(badge(get(data, element.getAttribute("data-k"))));
      } else {
        element.textContent = format(element, data);
      }
    });
    root.querySelectorAll("[data-level-of]").forEach(function (element) {
      const level = get(data, element.getAttribute("data-level-of")) || "ok";
      element.className = "level-" + level;
    });
    renderAgents(data);
    renderQueues(data);
    tick();
  }

  function tick() {
    const serverNow = Date.now() - offsetMs;
    root.querySelectorAll("[data-since]").forEach(function (cell) {
      cell.textContent = duration((serverNow - Date.parse(cell.getAttribute("data-since"))) / 1000);
    });
  }

  function live(ok) {
    const mark = root.querySelector("[data-live]");
    if (mark) mark.classList.toggle("stale", !ok);
  }

  function refresh() {
    if (inFlight) { queued = true; return; }
    const wait = lastFetch + MIN_GAP_MS - Date.now();
    if (wait > 0) { queued = true; window.setTimeout(drain, wait); return; }
    inFlight = true;
    lastFetch = Date.now();
    window.dialerFetch(root.getAttribute("data-url"))
      .then(function (response) {
        if (response.status === 401 || response.status === 403) { window.location.reload(); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (data) { if (data) { render(data); live(true); } else { live(false); } })
      .catch(function () { live(false); })
      .finally(function () { inFlight = false; drain(); });
  }

  function drain() {
    if (queued && !inFlight) { queued = false; refresh(); }
  }

  function listen() {
    if (!window.EventSource) return;
    const source = new EventSource(root.getAttribute("data-events"));
    let seen = 0;
    EVENTS.forEach(function (type) {
      source.addEventListener(type, function () {
        seen += 1;
        root.setAttribute("data-events-seen", String(seen));  // for people and tests to check
        refresh();
      });
    });
    source.addEventListener("call_notice", function (event) {
      const notice = JSON.parse(event.data);
      if (notice.agent_id === null) status("Call " + notice.attempt_id + ": " + notice.message);
    });
    source.addEventListener("open", function () { live(true); refresh(); });
    // The stream ends every few minutes and the browser reconnects by itself (Last-Event-ID);
    // the answer fetched on reconnection covers anything missed meanwhile.
    source.addEventListener("error", function () { live(false); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    root = document.querySelector("[data-wallboard]");
    if (!root) return;
    render(JSON.parse(document.getElementById("wallboard-data").textContent));
    listen();
    window.setInterval(tick, 1000);
    window.setInterval(refresh, Number(root.getAttribute("data-refresh-ms")) || 5000);
    const picker = root.querySelector("[data-navigate]");
    if (picker) picker.addEventListener("change", function () { window.location.assign(picker.value); });
  });
})();
