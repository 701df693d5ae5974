// Starts Redoc on /api/redoc/. A file rather than drf-spectacular's inline script, for the CSP: Redoc
// adds its styles as <style> elements, which carry the nonce this script was loaded with.
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  var options = JSON.parse(container.dataset.settings || "{}");
  options.nonce = document.currentScript.nonce;
  Redoc.init(container.dataset.schemaUrl, options, container);
})();
