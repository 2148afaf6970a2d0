// The agent console's live parts (templates/console/index.html renders the rest).
// Server-sent events are wake-ups: on each event, and whenever the stream (re)opens, the page
// reads /api/v1/agent/status again and draws it; the status, not the event, is the truth.
// Every write goes through dialerFetch (static/app.js), which adds the CSRF header.
(function () {
  "use strict";
  const root = document.getElementById("console");
  if (!root || typeof window.dialerFetch !== "function") return;

  const urls = {
    status: root.dataset.statusUrl, login: root.dataset.loginUrl, ready: root.dataset.readyUrl,
    pause: root.dataset.pauseUrl, logout: root.dataset.logoutUrl, events: root.dataset.eventsUrl,
    attempts: root.dataset.attemptsUrl, preview: root.dataset.previewUrl,
    contacts: root.dataset.contactsUrl, inbound: root.dataset.inboundUrl,
  };
  const pauseLabels = JSON.parse(root.dataset.pauseLabels || "{}");
  const live = {};
  root.querySelectorAll("[data-live]").forEach(function (el) { live[el.dataset.live] = el; });
  const hangupButton = root.querySelector("[data-action=hangup]");
  const CALL_STATES = new Set(["reserved", "on_call", "wrap_up"]);
  const CALL_HINTS = {
    reserved: "Your phone is ringing: answer it to talk.",
    wrap_up: "The call is over: record its outcome below.",
  };

  let status = null;          // the last AgentLiveStatus drawn
  let clockOffsetMs = 0;      // server clock minus this PC's clock
  let sinceMs = Date.parse(root.dataset.since || "") || null;
  let wrapUntilMs = null;
  let popFor = null;          // the attempt whose screen pop is drawn
  let dispositions = [];      // the drawn call's campaign dispositions
  let moveIntoWindow = false; // the agent accepted the earliest allowed callback time
  // Hold, mute and recording as asked from this page for the call on screen. The worker carries
  // them out; a refusal comes back as the API's error, shown, and the button is not toggled.
  let features = {attempt: null, held: false, muted: false, recording: false};
  // Preview campaigns: the attempt this page asked to dial (its Dial/Skip buttons are done), and
  // when the page last asked for a contact to preview while ready.
  let dialedPreview = null;
  let previewAskedMs = 0;
  const PREVIEW_ASK_EVERY_MS = 5000;
  const PREVIEW_EXPIRED = "preview_expired";  // the pause of an agent whose preview expired
  let expiredNoticeShown = false;

  if (root.dataset.serverTime) clockOffsetMs = Date.parse(root.dataset.serverTime) - Date.now();

  // ---- small helpers ----
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function show(node, visible) { if (node) node.hidden = !visible; }
  function words(value) { return String(value || "").replace(/_/g, " "); }
  function clock(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    const mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(r).padStart(2, "0");
  }
  function when(iso) {
    if (!iso) return "—";
    const d = new Date(iso);
    return d.toLocaleDateString(undefined, {month: "short", day: "numeric"}) + " " +
      d.toLocaleTimeString(undefined, {hour: "2-digit", minute: "2-digit"});
  }
  function showNotice(message) {
    live.notice.textContent = message;
    show(live.notice, Boolean(message));
  }
  function showFormError(message) {
    live["disposition-error"].textContent = message;
    show(live["disposition-error"], Boolean(message));
  }
  function showError(message) {
    live.error.textContent = message;
    show(live.error, Boolean(message));
  }
  function problemText(body, fallback) {
    if (body && body.problems && body.problems.length) return body.problems.join("; ");
    return (body && body.message) || fallback;
  }
  // The call's API: an attempt's, or an inbound call's (the status names it by inbound_call_id;
  // its attempt_id is then the id negated, the agent's call reference).
  function callUrl(current, path) {
    return current.inbound_call_id !== null && current.inbound_call_id !== undefined
      ? urls.inbound + current.inbound_call_id + "/" + path
      : urls.attempts + current.attempt_id + "/" + path;
  }
  function readJson(response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      return {ok: response.ok, status: response.status, body: body};
    });
  }

  // ---- the agent's state ----
  function drawStatus(next) {
    // A preview held past the campaign's limit went back and paused the agent (the scheduler's
    // sweep, or a Dial too late): say so once, as the card disappears.
    const expired = next.state === "paused" && next.reason === PREVIEW_EXPIRED;
    if (expired && !expiredNoticeShown) {
      showNotice("Your preview expired: the contact was not dialed or skipped in time, so it " +
        "went back in line. Click Ready for the next contact.");
    } else if (!expired && expiredNoticeShown) showNotice("");
    expiredNoticeShown = expired;
    status = next;
    clockOffsetMs = Date.parse(next.server_time) - Date.now();
    sinceMs = next.since ? Date.parse(next.since) : null;
    wrapUntilMs = next.wrap_up_until ? Date.parse(next.wrap_up_until) : null;
    const loggedIn = next.state !== "logged_out";
    root.dataset.state = next.state;
    live.state.className = "badge big state-" + next.state;
    live.state.textContent = words(next.state);
    show(live.timer, loggedIn);
    live.reason.textContent = next.reason ? (pauseLabels[next.reason] || words(next.reason)) : "";
    show(live.reason, Boolean(next.reason));
    const after = next.after_call;
    live["after-call"].textContent = after ? "After this call: " + words(after.state) +
      (after.reason ? " (" + (pauseLabels[after.reason] || words(after.reason)) + ")" : "") : "";
    show(live["after-call"], Boolean(after));
    show(live["login-form"], !loggedIn);
    show(live.controls, loggedIn);
    live.campaigns.replaceChildren.apply(live.campaigns, next.campaigns.map(function (id) {
      const found = next.allowed_campaigns.find(function (c) { return c.id === id; });
      return el("span", {class: "chip"}, found ? found.name : "campaign " + id);
    }));
    const ready = live.controls.querySelector("[data-action=ready]");
    ready.disabled = !(next.state === "paused");
    tick();
    drawCall(next);
  }

  function tick() {
    if (sinceMs !== null) live.timer.textContent = clock((Date.now() + clockOffsetMs - sinceMs) / 1000);
    const wrapping = status && status.state === "wrap_up" && wrapUntilMs !== null;
    if (wrapping) {
      const left = (wrapUntilMs - Date.now() - clockOffsetMs) / 1000;
      live["wrap-up"].textContent = left > 0 ? "Wrap-up ends in " + clock(left) : "Wrap-up time is over";
    }
    show(live["wrap-up"], wrapping);
  }

  function refresh() {
    return window.dialerFetch(urls.status).then(readJson).then(function (answer) {
      if (answer.ok) drawStatus(answer.body);
      else if (answer.status === 401) showError("Your session has ended: reload the page to sign in again.");
    }).catch(function () { /* the stream's next event or reconnect tries again */ });
  }

  function act(url, body) {
    showError("");
    return window.dialerFetch(url, {method: "POST", json: body || {}}).then(readJson)
      .then(function (answer) {
        if (answer.ok) drawStatus(answer.body);
        else showError(problemText(answer.body, "That did not work (" + answer.status + ")."));
        return answer;
      }).catch(function () { showError("The dialer cannot be reached; try again."); });
  }

  // ---- the call: screen pop, hang up, disposition ----
  function drawCall(next) {
    const held = CALL_STATES.has(next.state) && next.attempt_id !== null;
    show(live.call, held);
    show(live.idle, !held);
    const reserved = next.state === "reserved" && next.call;
    const inbound = next.inbound_call_id !== null && next.inbound_call_id !== undefined;
    const previewing = reserved && next.call.kind === "preview" && next.call.state === "queued" &&
      dialedPreview !== next.attempt_id;
    const placing = reserved && !previewing && !inbound && ["queued", "dialing", "ringing"].includes(next.call.state);
    const hint = previewing ? "Preview: read the contact, then Dial or Skip."
      : placing ? "Calling the customer: your phone rings when they answer."
      : inbound && next.state === "reserved" ? "A caller is waiting: answer your phone to talk."
      : CALL_HINTS[next.state] || "";
    live["call-hint"].textContent = hint;
    show(live["call-hint"], Boolean(hint));
    show(live.preview, Boolean(previewing));
    live["call-title"].textContent = previewing ? "Preview" : inbound ? "Inbound call" : "Call";
    // Ready: a preview campaign has a contact to show. Reserved for a call that ended with no
    // worker to free the agent (a dial nobody took in time): asking frees them.
    if (next.state === "ready" || (reserved && next.call.state === "ended")) askForPreview(false);
    // Hang-up, hold, mute, DTMF and recording go to the process holding the call (an outbound
    // call's worker or the inbound process); transfers are for outbound calls only.
    show(hangupButton, next.state === "on_call");
    show(live["call-controls"], next.state === "on_call");
    show(live["call-transfer"], next.state === "on_call" && !inbound);
    show(live["call-transfer-queue"], next.state === "on_call" && !inbound);
    if (features.attempt !== next.attempt_id) {
      features = {attempt: next.attempt_id, held: false, muted: false, recording: false};
      drawFeatures();
    }
    const disposing = held && next.state !== "reserved";
    show(live.disposition, disposing);
    const submit = live["disposition-form"].querySelector("button[type=submit]");
    submit.disabled = next.state !== "wrap_up";
    root.querySelector("[data-action=wrap-up-end]").disabled = next.state !== "wrap_up";
    live["disposition-hint"].textContent = next.state === "on_call" ? "Submit once the call is over." : "";
    if (!held) {
      popFor = null;
      return;
    }
    if (next.call) {
      live["call-name"].textContent = next.call.contact_name ||
        (inbound ? "Unknown caller " : "") + next.call.called_number;
      live["call-campaign"].textContent = next.call.campaign_name;
    }
    if (popFor !== next.attempt_id) loadPop(next);
    // A pause asked for during the call is what happens after it, unless the agent chooses.
    const after = live["disposition-form"].elements.after;
    const pausing = next.after_call && next.after_call.state === "paused" ? next.after_call.reason : "";
    if (pausing && !after.value && after.querySelector("option[value='" + CSS.escape(pausing) + "']")) {
      after.value = pausing;
    }
  }

  function drawFeatures() {
    const buttons = {
      "call-hold": [features.held, "Resume", "Hold"],
      "call-mute": [features.muted, "Unmute", "Mute"],
      "call-record": [features.recording, "Stop recording", "Record"],
    };
    Object.keys(buttons).forEach(function (name) {
      const [on, onLabel, offLabel] = buttons[name];
      const button = root.querySelector("[data-action=" + name + "]");
      button.textContent = on ? onLabel : offLabel;
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
    const words = [];
    if (features.held) words.push("On hold: the customer hears music");
    if (features.muted) words.push("Muted");
    if (features.recording) words.push("Recording");
    live["call-feature-state"].textContent = words.join(" · ");
  }

  // One call action (hold, resume, mute, unmute, dtmf, record_start, record_stop); `then` runs
  // once the worker has it on its way (202).
  function callAction(button, body, then) {
    if (!status || status.attempt_id === null) return;
    const attemptId = status.attempt_id;
    button.disabled = true;
    window.dialerFetch(callUrl(status, "call-action"), {method: "POST", json: body})
      .then(readJson).then(function (answer) {
      button.disabled = false;
      if (!answer.ok) { showError(problemText(answer.body, "The call did not take that action.")); return; }
      showError("");
      if (features.attempt === attemptId && then) { then(); drawFeatures(); }
    });
  }

  // The transfer picker: agents ready in the call's campaign, read when the agent opens it.
  function loadTransferAgents() {
    if (!status || status.attempt_id === null) return;
    const picker = live["transfer-agent"];
    window.dialerFetch(urls.attempts + status.attempt_id + "/transfer-agents").then(readJson)
      .then(function (answer) {
        if (!answer.ok) return;
        const chosen = picker.value;
        picker.replaceChildren(el("option", {value: ""}, answer.body.agents.length ? "Agent…" : "No agent ready"));
        answer.body.agents.forEach(function (a) {
          picker.appendChild(el("option", {value: String(a.agent_id)}, a.display_name));
        });
        picker.value = chosen;
      });
  }

  // The queue picker: the call's campaign's inbound queues, read when the agent opens it.
  function loadTransferQueues() {
    if (!status || status.attempt_id === null) return;
    const picker = live["transfer-queue"];
    window.dialerFetch(urls.attempts + status.attempt_id + "/transfer-queues").then(readJson)
      .then(function (answer) {
        if (!answer.ok) return;
        const chosen = picker.value;
        picker.replaceChildren(el("option", {value: ""}, answer.body.queues.length ? "Queue…" : "No queue"));
        answer.body.queues.forEach(function (q) {
          picker.appendChild(el("option", {value: String(q.queue_id)}, q.name + " (" + q.did + ")"));
        });
        picker.value = chosen;
      });
  }

  function loadPop(current) {
    const attemptId = current.attempt_id;
    popFor = attemptId;
    showNotice("");
    resetDispositionForm();
    window.dialerFetch(callUrl(current, "screen-pop")).then(readJson).then(function (answer) {
      if (answer.ok && popFor === attemptId) drawPop(answer.body, current.call && current.call.kind);
    });
  }

  function drawPop(pop, kind) {
    const contact = pop.contact;
    live["call-campaign"].textContent = pop.campaign.name;
    // The campaign decides recording: no button when it never records; always: on, for good.
    const recordButton = root.querySelector("[data-action=call-record]");
    show(recordButton, pop.campaign.recording !== "never");
    recordButton.disabled = pop.campaign.recording === "always";
    if (pop.campaign.recording === "always" && features.attempt === popFor) {
      features.recording = true;
      drawFeatures();
    }
    const rows = [];
    function row(label, value) {
      if (value === null || value === undefined || value === "") return;
      rows.push(el("dt", {}, label), el("dd", {}, value));
    }
    const inbound = pop.inbound;
    if (inbound) {
      if (!contact || contact.phone_e164 !== inbound.caller_number) row("Caller", inbound.caller_number);
      row("Called", inbound.did + (inbound.queue_name ? " (" + inbound.queue_name + ")" : ""));
      row("Waited", clock(inbound.waited_s));
      if (inbound.transferred_attempt_id) row("Transferred from", "call " + inbound.transferred_attempt_id);
    }
    if (contact) {
      const name = (contact.first_name + " " + contact.last_name).trim();
      live["call-name"].textContent = name || contact.phone_e164;
      row("Phone", contact.phone_e164 + (contact.phone_label ? " (" + contact.phone_label + ")" : ""));
      row("Postal code", contact.postal_code);
      row("Time zone", (contact.time_zones || []).join(", "));
      row("List", contact.list_name);
      row("Attempts", contact.attempts);
    } else if (inbound) {
      live["call-name"].textContent = "Unknown caller " + inbound.caller_number;
    } else {
      live["call-name"].textContent = pop.attempt.called_number;
      // A manual call with no contact is a number dialed directly (speed dial, dialer.speed_dial).
      row("Contact", kind === "manual" ? "none: a number dialed directly (speed dial)"
        : "deleted from the list since the call was placed");
    }
    live.contact.replaceChildren.apply(live.contact, rows);
    const custom = [];
    Object.keys((contact && contact.custom_fields) || {}).forEach(function (key) {
      custom.push(el("dt", {}, words(key)), el("dd", {}, contact.custom_fields[key]));
    });
    live.custom.replaceChildren.apply(live.custom, custom);
    show(live["custom-heading"], custom.length > 0);
    drawPrevious(pop.previous);
    // An unknown caller is no contact: there is nobody to call back.
    drawDispositions(inbound && !contact ? pop.dispositions.filter(function (d) {
      return d.action !== "callback";
    }) : pop.dispositions);
  }

  function drawPrevious(previous) {
    if (!previous.length) {
      live.previous.replaceChildren(el("p", {class: "muted"}, "None."));
      return;
    }
    const table = el("table", {class: "grid compact"});
    const head = el("tr");
    ["When", "Outcome", "Agent", "Disposition", "Notes"].forEach(function (h) {
      head.appendChild(el("th", {scope: "col"}, h));
    });
    table.appendChild(el("thead")).appendChild(head);
    const body = table.appendChild(el("tbody"));
    previous.forEach(function (a) {
      const tr = body.appendChild(el("tr"));
      tr.appendChild(el("td", {}, when(a.queued_at) + (a.direction === "inbound" ? " (called in)" : "")));
      tr.appendChild(el("td")).appendChild(el("span", {class: "badge state-" + (a.outcome || a.state)}, words(a.outcome || a.state)));
      tr.appendChild(el("td", {}, a.agent_name || "—"));
      tr.appendChild(el("td", {}, a.disposition_label || a.disposition || "—"));
      tr.appendChild(el("td", {class: "notes"}, a.notes || ""));
    });
    live.previous.replaceChildren(table);
  }

  function drawDispositions(list) {
    dispositions = list;
    live.dispositions.replaceChildren.apply(live.dispositions, list.map(function (d) {
      const label = el("label", {class: "choice"});
      const input = el("input", {type: "radio", name: "code", value: d.code, required: ""});
      input.dataset.action = d.action;
      label.append(input, " " + d.label);
      return label;
    }));
  }

  function resetDispositionForm() {
    const form = live["disposition-form"];
    form.reset();
    moveIntoWindow = false;
    showFormError("");
    show(live.callback, false);
    live.dispositions.replaceChildren();
  }

  function chosenDisposition() {
    const checked = live.dispositions.querySelector("input[name=code]:checked");
    return checked ? dispositions.find(function (d) { return d.code === checked.value; }) : null;
  }

  function submitDisposition(tries) {
    const form = live["disposition-form"];
    const chosen = chosenDisposition();
    if (!chosen || !status || status.attempt_id === null) return;
    const body = {code: chosen.code, notes: form.elements.notes.value};
    if (form.elements.after.value) body.pause_reason = form.elements.after.value;
    if (chosen.action === "callback") {
      const local = form.elements.callback_at.value;
      if (!local) {
        showFormError("Choose when to call back.");
        form.elements.callback_at.focus();
        return;
      }
      // datetime-local has no zone: read it in this PC's zone, send it as UTC.
      body.callback_at = new Date(local).toISOString();
      body.callback_for_me = form.elements.callback_for.value === "me";
      body.move_callback_into_window = moveIntoWindow;
    }
    showFormError("");
    window.dialerFetch(callUrl(status, "disposition"), {method: "POST", json: body})
      .then(readJson).then(function (answer) {
        if (answer.ok) {
          showNotice(savedText(chosen, answer.body));
          refresh();
          reloadMyCalls();
        } else if (answer.status === 409 && answer.body.retry && tries < 10) {
          // The worker is still closing the call: the disposition follows in a moment.
          live["disposition-hint"].textContent = "The call is being closed…";
          setTimeout(function () { submitDisposition(tries + 1); }, 1000);
        } else if (answer.body.error === "callback_outside_window") {
          offerEarliest(answer.body);
        } else {
          showFormError(problemText(answer.body, "The disposition was not saved (" + answer.status + ")."));
        }
      }).catch(function () { showFormError("The dialer cannot be reached; try again."); });
  }

  function savedText(chosen, result) {
    const who = live["call-name"].textContent;
    let text = "Saved “" + chosen.label + "” for " + who + ".";
    if (result.contact && result.contact.state === "callback" && result.contact.next_eligible_at) {
      text += " Call back " + when(result.contact.next_eligible_at) +
        (result.contact.callback_agent_id !== null ? ", by you." : ", by any agent.");
    }
    if (result.added_to_dnc) text += " The number is on the do-not-call list now.";
    return text;
  }

  // "My calls" is server-rendered: after a call, read it again from this page's own URL.
  function reloadMyCalls() {
    const current = document.getElementById("my-calls");
    if (!current) return;
    fetch(window.location.href, {credentials: "same-origin"}).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (!html) return;
      const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("my-calls");
      if (fresh) current.replaceWith(document.importNode(fresh, true));
    }).catch(function () { /* the next call's end tries again */ });
  }

  function offerEarliest(body) {
    const zones = (body.zones || []).map(function (z) { return z.describe; }).join("; ");
    const outside = "Outside the calling hours" + (zones ? " (" + zones + ")" : "") + ".";
    if (!body.earliest) {
      showFormError(outside + " No allowed time within a week: choose another disposition.");
      return;
    }
    moveIntoWindow = true;
    const input = live["disposition-form"].elements.callback_at;
    const earliest = new Date(body.earliest);
    const local = new Date(earliest.getTime() - earliest.getTimezoneOffset() * 60000);
    input.value = local.toISOString().slice(0, 16);
    showFormError(outside + " The earliest allowed time, " + when(body.earliest) +
      " your time, is filled in: submit again to use it.");
  }

  // ---- preview campaigns ----
  // A ready agent asks for a contact to preview (claimed for them by the server, under every
  // compliance rule); the server answers none unless they work a running preview campaign.
  function askForPreview(force) {
    if (!urls.preview || (!force && Date.now() - previewAskedMs < PREVIEW_ASK_EVERY_MS)) return;
    previewAskedMs = Date.now();
    window.dialerFetch(urls.preview).then(readJson).then(function (answer) {
      if (answer.ok && answer.body.attempt_id !== null) refresh();
    }).catch(function () { /* asked again on the next status */ });
  }

  function previewAction(button, path, body) {
    const attemptId = status ? status.attempt_id : null;
    button.disabled = true;
    window.dialerFetch(urls.preview + path, {method: "POST", json: body || {}}).then(readJson)
      .then(function (answer) {
        button.disabled = false;
        if (!answer.ok) showError(problemText(answer.body, "That did not work (" + answer.status + ")."));
        else {
          showError("");
          if (path === "/dial") dialedPreview = attemptId;
          live["skip-reason"].value = "";
        }
        previewAskedMs = 0;
        refresh();
      }).catch(function () { button.disabled = false; showError("The dialer cannot be reached; try again."); });
  }

  // ---- click-to-call from a call in "My calls" (outside the console's root) ----
  function callContact(button) {
    button.disabled = true;
    window.dialerFetch(urls.contacts + button.dataset.contactId + "/call", {method: "POST", json: {}})
      .then(readJson).then(function (answer) {
        button.disabled = false;
        if (!answer.ok) { showError(problemText(answer.body, "Not dialed (" + answer.status + ").")); return; }
        showError("");
        showNotice("Calling " + button.dataset.number + ": your phone rings when they answer.");
        refresh();
      }).catch(function () { button.disabled = false; showError("The dialer cannot be reached; try again."); });
  }
  document.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-action=call-contact]");
    if (button) callContact(button);
  });

  // ---- wiring ----
  live["login-form"].addEventListener("submit", function (event) {
    event.preventDefault();
    const ids = Array.from(live["login-form"].querySelectorAll("input[name=campaign_ids]:checked"))
      .map(function (box) { return Number(box.value); });
    if (!ids.length) { showError("Choose at least one campaign."); return; }
    act(urls.login, {campaign_ids: ids});
  });
  live["pause-form"].addEventListener("submit", function (event) {
    event.preventDefault();
    const reason = live["pause-form"].elements.reason.value;
    if (reason) act(urls.pause, {reason: reason});
  });
  live["transfer-agent"].addEventListener("focus", loadTransferAgents);
  live["transfer-queue"].addEventListener("focus", loadTransferQueues);
  live["disposition-form"].addEventListener("submit", function (event) {
    event.preventDefault();
    submitDisposition(0);
  });
  live.dispositions.addEventListener("change", function () {
    const chosen = chosenDisposition();
    const callback = Boolean(chosen && chosen.action === "callback");
    show(live.callback, callback);
    live["disposition-form"].elements.callback_at.required = callback;
  });
  root.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const action = button.dataset.action;
    if (action === "ready") {
      previewAskedMs = 0;  // going ready is asking for the next card: show it at once
      act(urls.ready);
    }
    else if (action === "preview-dial") previewAction(button, "/dial");
    else if (action === "preview-skip") {
      previewAction(button, "/skip", {reason: live["skip-reason"].value.trim() || undefined});
    }
    else if (action === "logout") act(urls.logout);
    else if (action === "call-hold") {
      callAction(button, {action: features.held ? "resume" : "hold"},
        function () { features.held = !features.held; });
    } else if (action === "call-mute") {
      callAction(button, {action: features.muted ? "unmute" : "mute"},
        function () { features.muted = !features.muted; });
    } else if (action === "call-record") {
      callAction(button, {action: features.recording ? "record_stop" : "record_start"},
        function () { features.recording = !features.recording; });
    } else if (action === "call-transfer" || action === "call-consult") {
      // Blind: the customer hears music while the number rings; answered, the call is theirs
      // and this agent goes to wrap-up; busy or no answer, the customer is back (call_notice).
      // Consult (warm): the agent talks with the number first, then completes or cancels.
      const destination = live["transfer-to"].value.trim();
      if (!destination) { showError("Type the number to transfer to, e.g. +14155550199."); return; }
      const warm = action === "call-consult";
      callAction(button, {action: warm ? "consult" : "transfer", destination: destination}, function () {
        showNotice((warm ? "Calling " : "Transferring to ") + destination +
          ": the customer hears music until they answer.");
      });
    } else if (action === "call-conference") {
      // Three-way: the customer hears music while the number rings, then all three talk.
      const number = live["transfer-to"].value.trim();
      if (!number) { showError("Type the number to add to the call, e.g. +14155550199."); return; }
      callAction(button, {action: "conference", destination: number}, function () {
        showNotice("Calling " + number + ": they join you and the customer when they answer.");
      });
    } else if (action === "call-conference-leave" || action === "call-conference-drop" ||
               action === "call-conference-merge") {
      callAction(button, {action: action.replace("call-", "").replace("-", "_")});
    } else if (action === "call-transfer-complete" || action === "call-transfer-cancel") {
      callAction(button, {action: action === "call-transfer-complete" ? "transfer_complete" : "transfer_cancel"});
    } else if (action === "call-transfer-agent" || action === "call-consult-agent" ||
               action === "call-conference-agent") {
      // To another agent ready in the campaign: once they answer, the call and its disposition
      // are theirs and this agent goes to wrap-up (End wrap-up); otherwise the customer is back.
      // Add agent to call: a three-way call with them (Leave 3-way hands them the call).
      const picker = live["transfer-agent"];
      const toAgent = Number(picker.value);
      if (!toAgent) { showError("Choose the agent (ready agents of this campaign)."); return; }
      const name = picker.options[picker.selectedIndex].textContent;
      const verb = {"call-transfer-agent": "transfer_agent", "call-consult-agent": "consult_agent",
                    "call-conference-agent": "conference_agent"}[action];
      callAction(button, {action: verb, to_agent_id: toAgent}, function () {
        showNotice((verb === "transfer_agent" ? "Transferring to " : "Calling ") + name +
          (verb === "conference_agent" ? ": the customer hears music until they answer, then all three talk."
                                       : ": the customer hears music until they answer."));
      });
    } else if (action === "call-transfer-queue") {
      // Blind, to one of the campaign's inbound queues: the customer waits there for its
      // agents; this agent goes to wrap-up and records the disposition (or gets them back).
      const picker = live["transfer-queue"];
      const toQueue = Number(picker.value);
      if (!toQueue) { showError("Choose the queue to transfer to (this campaign's inbound queues)."); return; }
      const name = picker.options[picker.selectedIndex].textContent;
      callAction(button, {action: "transfer_queue", queue_id: toQueue}, function () {
        showNotice("Transferring to " + name + ": the customer waits there for its agents.");
      });
    } else if (action === "wrap-up-end" && status && status.attempt_id !== null) {
      button.disabled = true;
      window.dialerFetch(urls.attempts + status.attempt_id + "/wrap-up-end", {method: "POST", json: {}})
        .then(readJson).then(function (answer) {
          button.disabled = false;
          if (!answer.ok) showFormError(problemText(answer.body, "Wrap-up did not end."));
          else refresh();
        });
    } else if (action === "call-dtmf") {
      callAction(button, {action: "dtmf", digits: button.dataset.digit}, function () {
        showNotice("Sent " + button.dataset.digit + " to the customer.");
      });
    } else if (action === "hangup" && status && status.attempt_id !== null) {
      button.disabled = true;
      window.dialerFetch(callUrl(status, "hangup"), {method: "POST"})
        .then(readJson).then(function (answer) {
          button.disabled = false;
          if (!answer.ok) showError(problemText(answer.body, "The call could not be hung up."));
        });
    }
  });

  setInterval(tick, 500);  // twice a second: the seconds shown never lag by a whole one
  // New contacts may arrive (a list upload, a retry coming due) while a preview agent waits.
  setInterval(function () { if (status && status.state === "ready") askForPreview(false); }, PREVIEW_ASK_EVERY_MS);
  tick();
  if (window.EventSource) {
    const events = new EventSource(urls.events);
    // On every (re)connect, read the status: nothing missed while the stream was away.
    events.addEventListener("open", refresh);
    ["agent_state", "call_connected", "call_ended"].forEach(function (type) {
      events.addEventListener(type, refresh);
    });
    events.addEventListener("call_ended", reloadMyCalls);
    // What the worker says about this agent's call: a refused action, a transfer's result.
    events.addEventListener("call_notice", function (event) {
      document.dispatchEvent(new CustomEvent("dialer:call-notice"));  // call_waiting.js
      const notice = JSON.parse(event.data);
      if (status && notice.attempt_id === status.attempt_id) showNotice(notice.message);
    });
  }
  refresh();
})();
