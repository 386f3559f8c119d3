// Live lists: pages whose parts carry data-live (with an id) open one Server-Sent Events stream
// (/events) and, when the server says something changed, fetch themselves once and swap those
// parts in. No polling; EventSource reconnects by itself and sends Last-Event-ID, and the
// server answers a reconnect with what it missed. Forms outside data-live keep their input.

import { renderTimes } from "./times.js";

const parts = document.querySelectorAll<HTMLElement>("[data-live][id]");
if (parts.length > 0) {
  let timer: number | undefined;
  let fetching = false;
  let again = false;

  const refresh = async (): Promise<void> => {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    try {
      const response = await fetch(window.location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" });
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      document.querySelectorAll<HTMLElement>("[data-live][id]").forEach((el) => {
        const next = fresh.getElementById(el.id);
        if (next && next.innerHTML !== el.innerHTML) el.replaceWith(document.importNode(next, true));
      });
      // The nav's approvals count follows too.
      const nav = document.querySelector<HTMLAnchorElement>('.mainnav a[href="/promotions/approvals"]');
      const freshNav = fresh.querySelector<HTMLAnchorElement>('.mainnav a[href="/promotions/approvals"]');
      if (nav && freshNav && nav.innerHTML !== freshNav.innerHTML) nav.innerHTML = freshNav.innerHTML;
      renderTimes();
      document.dispatchEvent(new CustomEvent("live:updated"));
    } finally {
      fetching = false;
      if (again) {
        again = false;
        void refresh();
      }
    }
  };

  const source = new EventSource("/events");
  source.addEventListener("changed", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void refresh(), 250);
  });
  document.body.dataset.live = "connecting";
  source.onopen = () => { document.body.dataset.live = "open"; };
  source.onerror = () => { document.body.dataset.live = "reconnecting"; };
}
