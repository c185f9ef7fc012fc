// The proposal page's htmx behaviour (no inline script: the Content-Security-Policy forbids it).
document.body.addEventListener("htmx:afterSwap", function (event) {
  var target = event.detail.target.querySelector("[data-autofocus]");
  if (target) { target.focus(); }
});
// A refused request (the state changed meanwhile, a 403 or 404) shows its full page with the reason.
document.body.addEventListener("htmx:responseError", function (event) {
  if (event.detail.requestConfig.verb === "get") { window.location.assign(event.detail.pathInfo.finalRequestPath); }
});
