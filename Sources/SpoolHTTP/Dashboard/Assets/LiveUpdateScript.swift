extension DashboardAssets {
    /// `dashboard.js`, the only script: every few seconds, while the page is visible, it loads the page's
    /// own address again and puts the new content of each element marked `data-live` (by its `id`) in
    /// place, so counts, charts and a task's state move without a reload; a part holding the focus (a form
    /// being filled in) is left alone. Pages work without it.
    static let liveUpdateScript = """
        "use strict";
        (function () {
          var period = 5000;
          var status = document.getElementById("live-status");
          if (!document.querySelector("[data-live][id]") || !window.fetch || !window.DOMParser) { return; }
          function refresh() {
            if (document.hidden) { return later(); }
            fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
              .then(function (response) {
                if (!response.ok || response.redirected) { throw new Error("status " + response.status); }
                return response.text();
              })
              .then(function (text) {
                var fresh = new DOMParser().parseFromString(text, "text/html");
                document.querySelectorAll("[data-live][id]").forEach(function (region) {
                  var replacement = fresh.getElementById(region.id);
                  if (replacement && !region.contains(document.activeElement)) { region.replaceWith(document.importNode(replacement, true)); }
                });
                if (status) { status.textContent = "updated " + new Date().toLocaleTimeString(); }
              })
              .catch(function () {
                if (status) { status.textContent = "not updated: log in again, or the server is down"; }
              })
              .then(later);
          }
          function later() { window.setTimeout(refresh, period); }
          if (status) { status.textContent = "live: updated every " + period / 1000 + " s"; }
          later();
        })();
        """
}
