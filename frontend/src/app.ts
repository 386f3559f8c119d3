// Progressive enhancements shared by every page. Pages work without JavaScript; this adds
// times in the user's zone (times.ts) and confirmation prompts.

import "./times.js";
import "./confirm.js";
import "./live.js";

/** Forms with data-confirm ask before submitting. */
function wireConfirmations(): void {
  document.addEventListener("submit", (event) => {
    const form = event.target as HTMLFormElement;
    const question = form.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });
}

/** Marks the main navigation entry of the current section. */
function markCurrentSection(): void {
  const path = window.location.pathname;
  document.querySelectorAll<HTMLAnchorElement>(".mainnav a").forEach((link) => {
    const section = new URL(link.href).pathname;
    if (path === section || path.startsWith(section + "/")) link.setAttribute("aria-current", "page");
  });
}

/**
 * A table or log that scrolls sideways (on a phone) takes keyboard focus, so it can be scrolled
 * without a mouse (axe: scrollable-region-focusable).
 */
function focusableScrollers(): void {
  document.querySelectorAll<HTMLElement>("table.data, pre").forEach((el) => {
    if (el.scrollWidth > el.clientWidth + 1) {
      if (!el.hasAttribute("tabindex")) el.tabIndex = 0;
    } else if (el.tabIndex === 0 && !el.matches("a, button, input, select, textarea")) {
      el.removeAttribute("tabindex");
    }
  });
}

markCurrentSection();
focusableScrollers();
window.addEventListener("resize", focusableScrollers);
wireConfirmations();
