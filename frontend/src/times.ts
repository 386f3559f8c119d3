// One time format on every page: the absolute time in the zone the user picked (remembered in
// localStorage), with the zone named, and "3 minutes ago" as the hint in the title. The server
// writes the same absolute time in UTC, so pages read the same without JavaScript.

const ZONE_KEY = "yardmaster.timeZone";

function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

export function chosenZone(): string {
  const stored = localStorage.getItem(ZONE_KEY);
  if (stored) {
    try {
      new Intl.DateTimeFormat("en", { timeZone: stored });
      return stored;
    } catch {
      localStorage.removeItem(ZONE_KEY);
    }
  }
  return browserZone();
}

/** "2026-12-03 10:27 GMT+1": sortable, unambiguous, the zone always named. */
export function absoluteTime(date: Date, zone: string = chosenZone()): string {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    hourCycle: "h23", timeZoneName: "short",
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")} ${part("hour")}:${part("minute")} ${part("timeZoneName")}`;
}

export function relativeTime(date: Date, now: number = Date.now()): string {
  const seconds = Math.round((now - date.getTime()) / 1000);
  const abs = Math.abs(seconds);
  const units: [number, Intl.RelativeTimeFormatUnit][] = [
    [60, "second"], [3600, "minute"], [86400, "hour"], [2592000, "day"], [31536000, "month"],
  ];
  const format = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  let divisor = 1;
  for (const [limit, unit] of units) {
    if (abs < limit) return format.format(-Math.round(seconds / divisor), unit);
    divisor = limit;
  }
  return format.format(-Math.round(seconds / 31536000), "year");
}

/** Rewrites every <time datetime> under root: absolute text in the chosen zone, relative title. */
export function renderTimes(root: ParentNode = document): void {
  const zone = chosenZone();
  const now = Date.now();
  root.querySelectorAll<HTMLTimeElement>("time[datetime]").forEach((el) => {
    const date = new Date(el.dateTime);
    if (Number.isNaN(date.getTime())) return;
    el.textContent = absoluteTime(date, zone);
    el.title = relativeTime(date, now);
  });
}

/** The zone picker in the footer: hidden without JavaScript, filled and shown here. */
function wireZonePicker(): void {
  const select = document.getElementById("time-zone") as HTMLSelectElement | null;
  if (!select) return;
  const current = chosenZone();
  const zones = new Set<string>(["UTC", browserZone(), current]);
  const all = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf;
  if (all) all("timeZone").forEach((z) => zones.add(z));
  for (const z of zones) {
    const option = document.createElement("option");
    option.value = z;
    option.textContent = z === browserZone() ? `${z} (this browser)` : z;
    select.appendChild(option);
  }
  select.value = current;
  select.addEventListener("change", () => {
    localStorage.setItem(ZONE_KEY, select.value);
    renderTimes();
  });
  select.closest<HTMLElement>("[hidden]")?.removeAttribute("hidden");
}

wireZonePicker();
renderTimes();
setInterval(() => renderTimes(), 30_000);
