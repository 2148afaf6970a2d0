// Report charts: figures arrive as JSON in <script type="application/json"> beside each chart
// (no inline script, so a strict Content-Security-Policy holds). Plotly.react with the server's
// fixed uirevision keeps zoom and hidden traces when the figures are fetched again.
(function () {
  "use strict";
  const CONFIG = {responsive: true, displaylogo: false};

  function draw(element, figure) {
    window.Plotly.react(element, figure.data || [], figure.layout || {}, CONFIG);
  }

  function drawAll() {
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      const source = document.getElementById(element.getAttribute("data-figure"));
      if (source) draw(element, JSON.parse(source.textContent));
    });
  }

  function refresh() {
    const section = document.querySelector("[data-figures-url]");
    if (!section) return;
    fetch(section.getAttribute("data-figures-url"), {credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body || !body.figures) return;
        body.figures.forEach(function (figure, index) {
          const element = document.getElementById("chart-" + index);
          if (element) draw(element, figure);
        });
      })
      .catch(function () { /* keep the figures shown; the next refresh tries again */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawAll();
    // Reports over today move while calls happen: refresh every minute without a reload.
    window.setInterval(refresh, 60000);
  });
})();
