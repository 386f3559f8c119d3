// What the roll page knows about states, read from the page itself: the server writes them from
// RollStatus, HostStatus and their sets (RollWords), so a status added there shows here with its
// own label and group, and no list of names lives in the browser.

export interface HostState {
  id: number;
  name: string;
  batch: number;
  status: string;
  step: string;
  reason: string | null;
  /** Set by the server from HostStatus's sets: the host is done, whatever the outcome. */
  complete: boolean;
  /** ISO times from hosts.json; for live changes, when this page heard of them. */
  startedAt?: string | null;
  finishedAt?: string | null;
}

export interface HostStateInfo {
  name: string;
  label: string;
  icon: string;
  /** failure, unreachable, open or done: from HostStatus's FAILURE, UNREACHED and OPEN sets. */
  kind: string;
  /** Smaller is worse: failures first, then unreachable, then open hosts, then finished ones. */
  rank: number;
}

export interface RollStateInfo {
  label: string;
  complete: boolean;
}

function parse<T>(text: string | undefined, fallback: T): T {
  try {
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
}

export function hostStates(head: HTMLElement): Map<string, HostStateInfo> {
  const list = parse<HostStateInfo[]>(head.dataset.hostStates, []);
  return new Map(list.map((s) => [s.name, s]));
}

export function rollStates(head: HTMLElement): Record<string, RollStateInfo> {
  return parse<Record<string, RollStateInfo>>(head.dataset.rollStates, {});
}

/** "PAUSED" → "Paused" for a state the page was not told about. */
export function label(status: string): string {
  const words = status.toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The roll's reason without the status word it starts with: "Paused" + "paused by bob" reads
 * "Paused by bob" (RollWords.said on the server says the same for the first render).
 */
export function reasonAfter(status: string, reason: string | null | undefined): string {
  const rest = (reason ?? "").trim();
  const word = status.toLowerCase().replace(/_/g, " ");
  if (rest.toLowerCase() === word) return "";
  return rest.toLowerCase().startsWith(word + " ") ? rest.slice(word.length + 1) : rest;
}

/** The last line of a reason or log: where the error usually is. */
export function lastLine(text: string | null | undefined): string {
  const lines = (text ?? "").split("\n").map((l) => l.trim()).filter((l) => l.length > 0);
  return lines.length > 0 ? lines[lines.length - 1] : "";
}

/** "4.2 s", "3 min 5 s", "1 h 2 min". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
