// Start GOV.UK Frontend components; loaded as a module file so no inline script is needed (CSP).
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Reports: a status fragment that polls its own URL while the PDF is queued or rendering, then stops
// (the fragment drops data-poll-url once the report is issued or has failed), then reloads the page once so the
// versions and the completion shown beside it are current too. No reload loop.
for (const region of document.querySelectorAll("[data-poll-url]")) {
  const poll = async () => {
    const url = region.getAttribute("data-poll-url");
    if (!url) return;
    try {
      const response = await fetch(url, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" });
      if (response.ok) {
        const holder = document.createElement("div");
        holder.innerHTML = await response.text();
        const fresh = holder.firstElementChild;
        if (fresh) {
          region.innerHTML = fresh.innerHTML;
          if (!fresh.hasAttribute("data-poll-url")) {
            region.removeAttribute("data-poll-url");
            window.location.reload();
            return;
          }
        }
      }
    } catch (error) {
      // the network blipped: try again on the next tick
    }
    setTimeout(poll, 3000);
  };
  setTimeout(poll, 3000);
}

// Print buttons on schedules and registers (issue 13): hidden without JavaScript, where the browser's own print
// (with the print stylesheet) still works.
for (const button of document.querySelectorAll("[data-app-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
