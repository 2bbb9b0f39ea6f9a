// Start GOV.UK Frontend components; loaded as a module file so no inline script is needed (CSP).
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
