// The console's "Call waiting" card: the setting (PUT /api/v1/agent/call-waiting) and the caller
// offered while on a call, with Decline (POST .../decline). Accepting is answering the phone.
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
  let timer = null;

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
    clearTimeout(timer);
    if (shown) timer = setTimeout(read, 2000);
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
