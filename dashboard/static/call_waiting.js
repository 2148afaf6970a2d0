// The console's "Call waiting" card: the setting (PUT /api/v1/agent/call-waiting) and the caller
// offered while on a call, with Decline (POST .../decline). Accepting is answering the phone.
// Second calls over without a disposition are listed, each with the campaign's dispositions
// (from its screen pop) and Save (POST /api/v1/inbound-calls/<id>/disposition).
// The card is read again on each call notice (console.js passes them on) and every few seconds
// while an offer is shown, since offers expire on their own.
(function () {
  "use strict";
  const card = document.querySelector("[data-call-waiting]");
  if (!card || typeof window.dialerFetch !== "function") return;
  const toggle = card.querySelector("input[name=call_waiting]");
  const offer = card.querySelector("[data-call-waiting-offer]");
  const text = card.querySelector("[data-call-waiting-text]");
  const decline = card.querySelector("[data-call-waiting-decline]");
  const status = card.querySelector("[data-call-waiting-status]");
  const dispose = card.querySelector("[data-call-waiting-dispose]");
  const disposeList = card.querySelector("[data-call-waiting-dispose-list]");
  let timer = null;
  let listed = "";  // the second calls drawn (ids): redrawn only when they change

  function say(message, ok) {
    status.className = ok ? "hint" : "problems";
    status.textContent = message;
    status.hidden = !message;
  }
  function draw(body) {
    toggle.checked = Boolean(body.call_waiting);
    const shown = body.offer;
    offer.hidden = !shown;
    if (shown) {
      text.textContent = shown.phase === "offered"
        ? "Waiting: " + shown.caller + " (" + shown.queue + "). Answer on your phone to take it."
        : "On the second call with " + shown.caller + "; your customer is on hold.";
      decline.hidden = shown.phase !== "offered" || Boolean(shown.answer);
    }
    drawToDispose(body.to_dispose || []);
    clearTimeout(timer);
    if (shown) timer = setTimeout(read, 2000);
  }
  function drawToDispose(calls) {
    const ids = calls.map(function (c) { return c.inbound_call_id; }).join(",");
    dispose.hidden = calls.length === 0;
    if (ids === listed) return;  // keep a choice being made
    listed = ids;
    disposeList.replaceChildren.apply(disposeList, calls.map(secondCallItem));
  }
  function secondCallItem(call) {
    const item = document.createElement("li");
    item.dataset.inboundCallId = String(call.inbound_call_id);
    const label = document.createElement("span");
    label.textContent = call.caller + (call.queue ? " (" + call.queue + ") " : " ");
    const choice = document.createElement("select");
    choice.setAttribute("aria-label", "Disposition of the second call with " + call.caller);
    choice.appendChild(new Option("Disposition…", ""));
    const save = document.createElement("button");
    save.type = "button";
    save.textContent = "Save";
    const url = card.dataset.inboundUrl + call.inbound_call_id + "/";
    window.dialerFetch(url + "screen-pop").then(function (r) { return r.json(); }).then(function (pop) {
      (pop.dispositions || []).forEach(function (d) { choice.appendChild(new Option(d.label, d.code)); });
    }).catch(function () {});
    save.addEventListener("click", function () {
      if (!choice.value) { say("Choose the second call's disposition.", false); return; }
      save.disabled = true;
      window.dialerFetch(url + "disposition", {method: "POST", json: {code: choice.value}})
        .then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (body) {
            save.disabled = false;
            if (!response.ok) { say((body.problems || [body.message]).join("; "), false); return; }
            say("Second call with " + call.caller + ": disposition saved.", true);
            read();
          });
        });
    });
    item.append(label, choice, " ", save);
    return item;
  }
  function answered(response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      if (response.ok) { draw(body); return body; }
      say((body.problems || [body.message]).join("; "), false);
      return null;
    });
  }
  function read() { window.dialerFetch(card.dataset.url).then(answered).catch(function () {}); }

  toggle.addEventListener("change", function () {
    window.dialerFetch(card.dataset.url, {method: "PUT", json: {call_waiting: toggle.checked}})
      .then(answered).then(function (body) {
        if (body) say(body.call_waiting ? "Call waiting on." : "Call waiting off.", true);
      });
  });
  decline.addEventListener("click", function () {
    window.dialerFetch(card.dataset.declineUrl, {method: "POST", json: {}})
      .then(answered).then(function (body) { if (body) say("Declined: the caller goes back to the queue.", true); });
  });
  document.addEventListener("dialer:call-notice", read);
  read();
})();
