// Admin behaviour. No inline scripts: the CSP allows only files from this origin.
(function () {
  "use strict";

  var csrfToken = function () {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  };

  var postJson = function (url) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    });
  };

  var renderStatus = function (accountId, data) {
    document.querySelectorAll('[data-status-for="' + accountId + '"]').forEach(function (badge) {
      badge.className = "status status-" + data.status.colour;
      badge.dataset.statusCode = data.status.code;
      badge.querySelector(".status-words").textContent = data.status.words;
    });
    var panel = document.querySelector('[data-account-id="' + accountId + '"]');
    if (!panel) { return; }
    var seller = panel.querySelector('[data-field="selling_partner_id"]');
    if (seller) { seller.textContent = data.selling_partner_id || "—"; }
    var authorized = panel.querySelector('[data-field="authorized_at"]');
    if (authorized) {
      authorized.textContent = data.authorized_text || "—";
    }
    var expires = panel.querySelector('[data-field="expires_at"]');
    if (expires) { expires.textContent = data.status.expires_text || "—"; }
  };

  var watchAuthorization = function (panel, popup) {
    var accountId = panel.dataset.accountId;
    var statusUrl = panel.dataset.statusUrl;
    var waiting = panel.querySelector("[data-popup-waiting]");
    var refresh = function () {
      return fetch(statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) { renderStatus(accountId, data); });
    };
    var stop = function () {
      window.clearInterval(poller);
      window.removeEventListener("message", onMessage);
      if (waiting) { waiting.hidden = true; }
      refresh();
    };
    // Only our own pages (the popup's result page) may tell us the flow ended.
    var onMessage = function (event) {
      if (event.origin !== window.location.origin || event.source !== popup) { return; }
      if (!event.data || event.data.type !== "connector:authorization") { return; }
      stop();
    };
    window.addEventListener("message", onMessage);
    // Polling is the fallback when the opener link is lost on the way through Amazon.
    var poller = window.setInterval(function () {
      refresh();
      if (popup.closed) { stop(); }
    }, 3000);
    if (waiting) { waiting.hidden = false; }
  };

  // Words the script itself shows, rendered by the server in the admin's language (see base.html).
  var pageText = function (name) { return document.body.dataset[name] || ""; };

  var requestToken = function (button) {
    var panel = button.closest("[data-account-panel]");
    var blocked = panel.querySelector("[data-popup-blocked]");
    // Open synchronously inside the click so pop-up blockers see a user gesture.
    var popup = window.open("", "amazon-authorization", "popup=yes,width=640,height=760");
    if (!popup) {
      blocked.hidden = false;
      return;
    }
    blocked.hidden = true;
    popup.document.title = pageText("textConnecting");
    postJson(button.dataset.ticketUrl).then(function (data) {
      popup.location.href = data.url;
      watchAuthorization(panel, popup);
    }).catch(function () {
      popup.close();
      blocked.textContent = pageText("textAuthorizationFailed");
      blocked.hidden = false;
    });
  };

  var filterMarketplaces = function (select) {
    document.querySelectorAll("[data-marketplaces] li").forEach(function (item) {
      var inRegion = item.dataset.region === select.value;
      item.hidden = !inRegion;
      if (!inRegion) { item.querySelector("input").checked = false; }
    });
  };

  // Orders panel: "Import now" and the progress bar of the import, fed by the account's import status.
  var renderImport = function (panel, data) {
    var bar = panel.querySelector("[data-import-progress]");
    panel.querySelector("[data-import-progress-box]").hidden = !data.running;
    if (data.percent === null || data.percent === undefined) { bar.removeAttribute("value"); } else { bar.value = data.percent; }
    panel.querySelector("[data-import-message]").textContent = data.message;
    var last = panel.querySelector("[data-last-import]");
    if (last) { last.textContent = data.last_success_text; }
  };

  var watchImport = function (panel, graceRounds) {
    // A queued import may take a moment to start: keep looking for a few rounds before calling it done.
    var rounds = 0;
    if (panel.dataset.watching === "true") { return; }
    panel.dataset.watching = "true";
    var poll = function () {
      rounds += 1;
      fetch(panel.dataset.importStatusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          renderImport(panel, data);
          if (data.running || rounds < graceRounds) { window.setTimeout(poll, 2000); }
          else { panel.dataset.watching = "false"; }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    poll();
  };

  var importNow = function (form) {
    var panel = form.closest("[data-orders-panel]");
    postJson(form.action).then(function (data) {
      renderImport(panel, data.status);
      panel.querySelector("[data-import-progress-box]").hidden = false;
      panel.querySelector("[data-import-message]").textContent = data.message;
      watchImport(panel, 5);
    }).catch(function () { form.submit(); });
  };

  // Stock and price sync panel: counts and progress bars follow the account's runs (fetch polling).
  var renderStock = function (panel, data) {
    // The texts are the server's: numbers, times and words as the page writes them in the admin's language.
    Object.keys(data.pending).forEach(function (name) {
      var field = panel.querySelector('[data-stock-count="' + name + '"]');
      if (field) { field.textContent = data.texts[name]; }
    });
    var paused = panel.querySelector('[data-stock-field="paused"]');
    if (paused) {
      paused.hidden = !data.paused;
      paused.querySelector('[data-stock-text="paused"]').textContent = data.paused || "";
    }
    var last = panel.querySelector('[data-stock-text="last_push"]');
    if (last && data.last_push) { last.textContent = data.texts.last_push; }
    var next = panel.querySelector('[data-stock-text="next_push"]');
    if (next) { next.textContent = data.texts.next_push; }
    var bars = panel.querySelector("[data-stock-progress]");
    bars.replaceChildren();
    data.running.forEach(function (run) {
      var line = document.createElement("p");
      line.className = "progress-line";
      var label = document.createElement("span");
      label.textContent = run.label;
      var bar = document.createElement("progress");
      bar.max = run.total || 1;
      bar.value = run.done || 0;
      var text = document.createElement("span");
      text.textContent = run.text;
      line.append(label, " ", bar, " ", text);
      bars.append(line);
    });
    bars.hidden = data.running.length === 0;
  };

  var watchStock = function (panel) {
    var timer = null;
    var poll = function () {
      window.clearTimeout(timer);
      fetch(panel.dataset.progressUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          renderStock(panel, data);
          var busy = data.running.length > 0 || data.pending.in_flight > 0 || (data.pending.pending > 0 && !data.paused);
          timer = window.setTimeout(poll, busy ? 2000 : 30000);
        })
        .catch(function () { timer = window.setTimeout(poll, 30000); });
    };
    panel.stockPoll = poll;
    poll();
  };

  var stockAction = function (form) {
    var panel = form.closest("[data-stock-panel]");
    var message = panel.querySelector("[data-stock-message]");
    postJson(form.action).then(function (data) {
      message.textContent = data.message;
      message.hidden = false;
      panel.stockPoll();
    }).catch(function () {
      message.textContent = pageText("textActionFailed");
      message.hidden = false;
    });
  };

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-request-token]");
    if (button) { requestToken(button); return; }
    if (event.target.closest("[data-close-window]")) { window.close(); }
  });

  document.addEventListener("submit", function (event) {
    if (event.target.matches("[data-import-now]")) {
      event.preventDefault();
      importNow(event.target);
      return;
    }
    var message = event.target.dataset.confirm;
    if (message && !window.confirm(message)) { event.preventDefault(); return; }
    if (event.target.hasAttribute("data-stock-action")) {
      event.preventDefault();
      stockAction(event.target);
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.hasAttribute("data-submit-on-change")) { event.target.form.submit(); }
  });

  // Live progress of a sync run: poll its JSON until it finishes, then reload so the page shows the outcome.
  var followProgress = function (box) {
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-progress-text]");
    var poll = function () {
      fetch(box.dataset.progressUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (run) {
          if (run.total) {
            bar.value = run.percent;
            text.textContent = run.text;
          }
          if (run.running) {
            window.setTimeout(poll, 1500);
          } else {
            bar.value = 100;
            text.textContent = run.summary || run.text;
            window.setTimeout(function () { window.location.reload(); }, 800);
          }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    window.setTimeout(poll, 1000);
  };

  // Dashboard "Running now": one poll lists every running operation of the shop with its progress. Finished ones
  // stay listed with their outcome for two minutes (the server decides), so nothing vanishes unexplained.
  var renderOperation = function (item, operation) {
    var bar = item.querySelector("progress");
    item.classList.toggle("operation-done", !operation.running);
    if (!operation.running) { bar.value = 100; }
    else if (operation.percent === null || operation.percent === undefined) { bar.removeAttribute("value"); }
    else { bar.value = operation.percent; }
    item.querySelector("[data-operation-text]").textContent = operation.text;
  };

  var newOperation = function (operation, detailsLabel) {
    var item = document.createElement("li");
    item.className = "operation";
    item.dataset.operation = operation.id;
    var label = document.createElement("span");
    label.className = "operation-label";
    label.textContent = operation.label + (operation.account ? " · " + operation.account : "");
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.setAttribute("aria-label", operation.label);
    var text = document.createElement("span");
    text.className = "operation-text";
    text.dataset.operationText = "";
    item.append(label, bar, text);
    if (operation.url) {
      var link = document.createElement("a");
      link.href = operation.url;
      link.dataset.operationLink = "";
      link.textContent = detailsLabel;
      item.append(link);
    }
    return item;
  };

  var watchRunning = function (section) {
    var list = section.querySelector("[data-operations]");
    var empty = section.querySelector("[data-operations-empty]");
    var poll = function () {
      fetch(section.dataset.runningUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          var seen = {};
          data.operations.forEach(function (operation) {
            seen[operation.id] = true;
            var item = list.querySelector('[data-operation="' + operation.id + '"]');
            if (!item) { item = newOperation(operation, section.dataset.detailsLabel); list.append(item); }
            renderOperation(item, operation);
          });
          list.querySelectorAll("[data-operation]").forEach(function (item) {
            if (!seen[item.dataset.operation]) { item.remove(); }
          });
          empty.hidden = data.operations.length > 0;
          var busy = data.operations.some(function (operation) { return operation.running; });
          section.dataset.running = busy ? "true" : "false";
          window.setTimeout(poll, busy ? 1500 : 15000);
        })
        .catch(function () { window.setTimeout(poll, 15000); });
    };
    window.setTimeout(poll, section.dataset.running === "true" ? 1000 : 15000);
  };

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-running-operations]").forEach(watchRunning);
    document.querySelectorAll('[data-progress-url][data-running="true"]').forEach(followProgress);
    document.querySelectorAll('[data-orders-panel][data-running="true"]').forEach(function (panel) {
      watchImport(panel, 0);
    });
    document.querySelectorAll("[data-stock-panel]").forEach(watchStock);
    var region = document.querySelector("[data-region-select]");
    if (region) {
      filterMarketplaces(region);
      region.addEventListener("change", function () { filterMarketplaces(region); });
    }
  });
})();
