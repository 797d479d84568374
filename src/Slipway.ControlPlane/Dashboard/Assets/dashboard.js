// Slipway dashboard: the few things a server-rendered page cannot do alone. Loaded with `defer`; no inline script (CSP).
(function () {
  "use strict";

  // Apps: filter rows by name as you type (the form still works without script, via ?q=).
  var filter = document.querySelector("input[data-filter]");
  if (filter) {
    var rows = document.querySelectorAll(filter.getAttribute("data-filter"));
    var count = document.querySelector("[data-count]");
    var total = new Set(Array.prototype.map.call(rows, function (r) { return r.getAttribute("data-name"); })).size;
    filter.addEventListener("input", function () {
      var q = filter.value.trim().toLowerCase();
      var shown = new Set();
      rows.forEach(function (row) {
        var name = row.getAttribute("data-name") || "";
        var match = name.toLowerCase().indexOf(q) >= 0;
        row.hidden = !match;
        if (match) { shown.add(name); }
      });
      if (count) { count.textContent = shown.size + " of " + total + " apps"; }
    });
  }

  // Deployment: follow its event stream from the last event the page already shows.
  var live = document.querySelector("[data-stream]");
  if (live && window.EventSource) {
    var log = document.getElementById("log");
    var status = document.getElementById("status");
    var timeline = document.getElementById("timeline");
    var source = new EventSource(live.getAttribute("data-stream"));
    var follow = true;
    log.addEventListener("scroll", function () { follow = log.scrollTop + log.clientHeight >= log.scrollHeight - 8; });

    var data = function (e) { try { return JSON.parse(e.data).data || {}; } catch (err) { return {}; } };
    source.addEventListener("deploy.log", function (e) {
      log.appendChild(document.createTextNode((data(e).line || "") + "\n"));
      if (follow) { log.scrollTop = log.scrollHeight; }
    });
    source.addEventListener("deploy.start", function () { setStatus("running"); });
    source.addEventListener("deploy.phase", function (e) {
      var phase = data(e).phase;
      var items = timeline.querySelectorAll("li");
      var reached = false;
      items.forEach(function (li) {
        if (li.getAttribute("data-phase") === phase) {
          reached = true;
          mark(li, "current");
        } else if (li.classList.contains("current")) {
          mark(li, "done");
        }
      });
      if (reached) { setStatus("running · " + phase); }
    });
    ["deploy.done", "deploy.cancelled", "deploy.superseded"].forEach(function (type) {
      source.addEventListener(type, function () {
        source.close();
        // The finished page carries the outcome, durations and error summary as the server has them.
        window.location.reload();
      });
    });

    function mark(li, state) {
      li.className = state;
      var label = li.querySelector(".state");
      if (label) { label.textContent = state; }
    }
    function setStatus(text) {
      var badge = status.querySelector(".badge");
      if (badge) { badge.textContent = text; badge.className = "badge busy"; }
    }
  }

  // Edge: refresh the live part of the page in place (keeps focus and scroll position).
  var edge = document.getElementById("edge-live");
  if (edge) {
    var every = Math.max(1000, parseInt(edge.getAttribute("data-refresh"), 10) || 5000);
    setInterval(function () {
      fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          var next = new DOMParser().parseFromString(html, "text/html").getElementById("edge-live");
          if (next) { edge.replaceWith(next); edge = next; }
        })
        .catch(function () { /* the next tick tries again */ });
    }, every);
  }
})();
