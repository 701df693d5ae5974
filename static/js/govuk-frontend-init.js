// Starts every GOV.UK Frontend component on the page (loaded as a module, so only browsers that
// GOV.UK Frontend supports run it). A file rather than an inline script, for the CSP.
import { initAll } from "../govuk-frontend/dist/govuk/govuk-frontend.min.js";

initAll();
