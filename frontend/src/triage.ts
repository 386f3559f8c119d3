// The roll page's "needs attention" table: the hosts that failed or could not be reached, worst
// first, with the step where each stopped and the last line of its error, filtered by state and
// step. It is redrawn from the host states rolls.ts keeps (hosts.json, then the event stream) at
// most every 250 ms, and draws one page of rows at a time: at 2,000 hosts the table is never
// longer than the page a person reads.

import { absoluteTime, relativeTime } from "./times.js";
import { duration, HostState, HostStateInfo, lastLine } from "./states.js";

const PAGE = 100;
const ATTENTION = "attention";

export class Triage {
  private readonly body: HTMLTableSectionElement;
  private readonly stateSelect: HTMLSelectElement;
  private readonly stepSelect: HTMLSelectElement;
  private readonly count: HTMLElement;
  private readonly more: HTMLButtonElement;
  private shown = PAGE;
  private timer: number | undefined;
  private loaded = false;
  private readonly minutes = new Map<string, string>();

  constructor(
    root: HTMLElement,
    private readonly hosts: Map<number, HostState>,
    private readonly states: Map<string, HostStateInfo>,
    openLog: (id: number) => void,
  ) {
    this.body = root.querySelector("tbody")!;
    this.stateSelect = root.querySelector<HTMLSelectElement>("#triage-state")!;
    this.stepSelect = root.querySelector<HTMLSelectElement>("#triage-step")!;
    this.count = root.querySelector<HTMLElement>("#triage-count")!;
    this.more = root.querySelector<HTMLButtonElement>("#triage-more")!;
    const refilter = () => {
      this.shown = PAGE;
      this.render();
    };
    this.stateSelect.addEventListener("change", refilter);
    this.stepSelect.addEventListener("change", refilter);
    this.more.addEventListener("click", () => {
      this.shown += PAGE;
      this.render();
    });
    this.body.addEventListener("click", (e) => {
      const button = (e.target as HTMLElement).closest<HTMLElement>("button[data-host]");
      if (button) openLog(Number(button.dataset.host));
    });
  }

  /** Hosts changed: redraw soon (coalesced, so a busy roll costs one redraw per 250 ms). */
  changed(): void {
    if (!this.loaded) {
      // The first list is drawn at once; later changes are coalesced.
      this.loaded = true;
      this.render();
      return;
    }
    if (this.timer === undefined) {
      this.timer = window.setTimeout(() => {
        this.timer = undefined;
        this.render();
      }, 250);
    }
  }

  private info(status: string): HostStateInfo {
    return this.states.get(status) ?? { name: status, label: status, icon: "?", kind: "done", rank: 999 };
  }

  private matches(h: HostState, state: string, step: string): boolean {
    const kind = this.info(h.status).kind;
    const stateOk = state === ATTENTION ? kind === "failure" || kind === "unreachable" : state === "" || h.status === state;
    return stateOk && (step === "" || h.step === step);
  }

  /** The counts in the state filter's options, so a person sees where the hosts are before choosing. */
  private countOptions(): void {
    const byState = new Map<string, number>();
    let attention = 0;
    for (const h of this.hosts.values()) {
      byState.set(h.status, (byState.get(h.status) ?? 0) + 1);
      const kind = this.info(h.status).kind;
      if (kind === "failure" || kind === "unreachable") attention++;
    }
    for (const option of Array.from(this.stateSelect.options)) {
      const n = option.value === ATTENTION ? attention : option.value === "" ? this.hosts.size : byState.get(option.value) ?? 0;
      const base = option.value === ATTENTION ? "failed or unreachable" : option.value === "" ? "every state"
        : this.info(option.value).label;
      const text = `${base} (${n})`;
      if (option.textContent !== text) option.textContent = text;
    }
  }

  render(): void {
    this.countOptions();
    const state = this.stateSelect.value;
    const step = this.stepSelect.value;
    const rows = Array.from(this.hosts.values()).filter((h) => this.matches(h, state, step));
    rows.sort((a, b) => this.info(a.status).rank - this.info(b.status).rank || a.id - b.id);
    const page = rows.slice(0, this.shown);
    const now = Date.now();
    const fragment = document.createDocumentFragment();
    for (const h of page) fragment.appendChild(this.row(h, now));
    this.body.replaceChildren(fragment);
    if (this.loaded && performance.getEntriesByName("roll-triage-drawn").length === 0) performance.mark("roll-triage-drawn");
    const what = state === ATTENTION ? "failed or unreachable" : state === "" ? "in every state" : this.info(state).label.toLowerCase();
    const noun = rows.length === 1 ? "host" : "hosts";
    this.count.textContent = !this.loaded ? "loading hosts…"
      : rows.length === 0 ? (state === ATTENTION ? "No host failed or is unreachable." : `No host is ${what}${step ? " at " + step.toLowerCase() : ""}.`)
      : `${rows.length} ${noun} ${what}${step ? " at " + step.toLowerCase() : ""}`
        + (rows.length > page.length ? `; the worst ${page.length} shown.` : ".");
    this.more.hidden = rows.length <= page.length;
    this.more.textContent = `Show ${Math.min(PAGE, rows.length - page.length)} more`;
  }

  private row(h: HostState, now: number): HTMLTableRowElement {
    const info = this.info(h.status);
    const tr = document.createElement("tr");
    tr.dataset.host = String(h.id);
    tr.dataset.kind = info.kind;
    const cell = (child: Node | string, className?: string) => {
      const td = document.createElement("td");
      if (className) td.className = className;
      td.append(child);
      tr.appendChild(td);
      return td;
    };
    const name = document.createElement("button");
    name.type = "button";
    name.className = "linklike";
    name.dataset.host = String(h.id);
    name.textContent = h.name;
    name.setAttribute("aria-label", `${h.name}: open its log`);
    cell(name);
    const state = document.createElement("span");
    state.className = "host-state";
    state.dataset.kind = info.kind;
    const icon = document.createElement("span");
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = info.icon + " ";
    state.append(icon, info.label);
    cell(state);
    cell(h.step.toLowerCase());
    cell(lastLine(h.reason) || "—", "error-line");
    const at = h.finishedAt ?? h.startedAt;
    if (at) {
      const time = document.createElement("time");
      time.dateTime = at;
      const date = new Date(at);
      // One formatter call per distinct minute: 2,000 hosts finish within a few minutes.
      const minute = at.slice(0, 16);
      let text = this.minutes.get(minute);
      if (text === undefined) {
        text = absoluteTime(date);
        this.minutes.set(minute, text);
      }
      time.textContent = text;
      time.title = relativeTime(date, now);
      const td = cell(time, "when");
      if (h.startedAt && h.finishedAt) {
        td.append(` · took ${duration(Date.parse(h.finishedAt) - Date.parse(h.startedAt))}`);
      }
    } else {
      cell("—");
    }
    return tr;
  }
}
