// fetch() for pages: same-origin cookies and the CSRF token the server put in <meta name="csrf-token">.
// Usage: dialerFetch("/api/v1/campaigns/1/state", {method: "POST", json: {state: "running"}})
(function () {
  "use strict";
  const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  window.dialerFetch = function (url, options) {
    const opts = Object.assign({credentials: "same-origin"}, options || {});
    const headers = new Headers(opts.headers || {});
    const method = (opts.method || "GET").toUpperCase();
    if (UNSAFE.has(method)) headers.set("X-CSRFToken", csrfToken());
    if (opts.json !== undefined) {
      headers.set("Content-Type", "application/json");
      opts.body = JSON.stringify(opts.json);
      delete opts.json;
    }
    headers.set("Accept", "application/json");
    opts.headers = headers;
    return fetch(url, opts);
  };
})();

// The CSP forbids inline handlers: selects marked data-autosubmit submit their form on change.
document.addEventListener("change", function (event) {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
    target.form.submit();
  }
});
