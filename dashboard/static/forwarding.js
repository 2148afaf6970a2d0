// The console's "Call forwarding" card: PUT /api/v1/agent/forwarding, the reason when refused.
(function () {
  "use strict";
  const form = document.querySelector("form[data-forwarding]");
  if (!form) return;
  const status = form.querySelector("[data-forwarding-status]");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const values = {forward_mode: form.elements.forward_mode.value,
      forward_to: form.elements.forward_to.value || null};
    window.dialerFetch(form.dataset.url, {method: "PUT", json: values}).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        status.className = response.ok ? "hint" : "problems";
        status.textContent = response.ok
          ? (body.forward_mode === "off" ? "Forwarding off." : "Forwarding " + body.forward_mode.replace("_", " ") + " to " + body.forward_to + ".")
          : (body.problems || [body.message]).join("; ");
        status.hidden = false;
      });
    });
  });
})();
