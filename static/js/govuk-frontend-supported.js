// Runs at the top of <body>, before the page is drawn, so GOV.UK Frontend's styles for scripted
// components apply from the first paint. A file rather than an inline script, for the CSP.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
