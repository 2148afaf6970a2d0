// Speed-dial entries (dashboard/routes/api/speed_dial.py) on the agent console and the campaign
// page: a <section data-speed-dial> names its list URL, the URL its slots are kept under and,
// on the console, that entries may be dialed. Refusals show the API's reason.
(function () {
  "use strict";
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function answer(response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      return {ok: response.ok, body: body};
    });
  }
  function setup(box) {
    const listUrl = box.dataset.listUrl;
    const slotsUrl = box.dataset.slotsUrl;
    const editable = box.dataset.editableScope;
    const dial = box.dataset.dial === "true";
    const rows = box.querySelector("[data-speed-dial-rows]");
    const status = box.querySelector("[data-speed-dial-status]");
    const form = box.querySelector("form");
    function say(text, problem) {
      status.textContent = text;
      status.className = problem ? "problems" : "hint";
      status.hidden = !text;
    }
    function draw(entries) {
      rows.replaceChildren.apply(rows, entries.map(function (entry) {
        const row = el("li", {"data-slot": String(entry.slot)});
        row.append(el("span", {class: "mono"}, "*" + entry.slot + "#"), " ",
          el("b", {}, entry.label), " ", el("span", {class: "mono muted"}, entry.number));
        if (entry.scope !== editable) row.append(" ", el("span", {class: "chip"}, "campaign"));
        if (dial) {
          row.append(" ", el("button", {type: "button", class: "small", "data-speed-dial-call": entry.slot,
            "aria-label": "Dial " + entry.label}, "Dial"));
        }
        if (entry.scope === editable) {
          row.append(" ", el("button", {type: "button", class: "small link danger",
            "data-speed-dial-remove": entry.slot, "aria-label": "Remove " + entry.label}, "Remove"));
        }
        return row;
      }));
      if (!entries.length) rows.replaceChildren(el("li", {class: "muted"}, "No entries."));
    }
    function load() {
      window.dialerFetch(listUrl).then(answer).then(function (got) {
        if (got.ok) draw(got.body); else say(got.body.message || "Cannot load speed dial.", true);
      });
    }
    box.addEventListener("click", function (event) {
      const call = event.target.closest("[data-speed-dial-call]");
      const remove = event.target.closest("[data-speed-dial-remove]");
      if (call) {
        call.disabled = true;
        const url = "/api/v1/agent/speed-dial/" + call.dataset.speedDialCall + "/call";
        window.dialerFetch(url, {method: "POST", json: {}}).then(answer).then(function (got) {
          call.disabled = false;
          if (got.ok) say("Calling " + got.body.entry.label + " (" + got.body.entry.number + ")…");
          else say(got.body.message || "Not dialed.", true);
        });
      } else if (remove) {
        window.dialerFetch(slotsUrl + remove.dataset.speedDialRemove, {method: "DELETE"})
          .then(answer).then(function (got) { if (!got.ok) say(got.body.message, true); load(); });
      }
    });
    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        const values = {number: form.elements.number.value, label: form.elements.label.value};
        window.dialerFetch(slotsUrl + form.elements.slot.value, {method: "PUT", json: values})
          .then(answer).then(function (got) {
            if (!got.ok) { say((got.body.problems || [got.body.message]).join("; "), true); return; }
            say("Saved.");
            form.reset();
            load();
          });
      });
    }
    load();
  }
  document.querySelectorAll("[data-speed-dial]").forEach(setup);
})();
