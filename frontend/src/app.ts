// Progressive enhancements shared by every page. Pages work without JavaScript; this adds
// relative times and confirmation prompts.

function relativeTime(iso: string, now: number): string {
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (Number.isNaN(seconds)) return iso;
  const abs = Math.abs(seconds);
  const units: [number, Intl.RelativeTimeFormatUnit][] = [
    [60, "second"], [3600, "minute"], [86400, "hour"], [2592000, "day"], [31536000, "month"],
  ];
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  let divisor = 1;
  for (const [limit, unit] of units) {
    if (abs < limit) return format.format(-Math.round(seconds / divisor), unit);
    divisor = limit;
  }
  return format.format(-Math.round(seconds / 31536000), "year");
}

/** Every <time datetime> with data-relative shows "3 minutes ago", the exact time on hover. */
export function refreshRelativeTimes(root: ParentNode = document): void {
  const now = Date.now();
  root.querySelectorAll<HTMLTimeElement>("time[data-relative]").forEach((el) => {
    if (!el.title) el.title = new Date(el.dateTime).toLocaleString();
    el.textContent = relativeTime(el.dateTime, now);
  });
}

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

markCurrentSection();
refreshRelativeTimes();
setInterval(refreshRelativeTimes, 30_000);
wireConfirmations();
