// Tell the account page that opened this window how the authorization ended (our own origin only).
(function () {
  "use strict";
  var result = document.querySelector("[data-authorization-result]");
  if (!result || !window.opener) { return; }
  try {
    window.opener.postMessage(
      { type: "connector:authorization", outcome: result.dataset.outcome, accountId: result.dataset.accountId },
      window.location.origin
    );
  } catch (ignored) {
    // The opener navigated elsewhere; its polling picks up the new status.
  }
})();
