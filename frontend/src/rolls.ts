// The live roll page: a snapshot of the hosts, then Server-Sent Events. Events are coalesced
// and applied once per animation frame, so a 2,000-host roll stays responsive. Every state's
// label, sign and group come from the page (states.ts), so a status added on the server needs
// nothing here.

import { HostLog } from "./hostlog.js";
import { duration, hostStates, HostState, HostStateInfo, label, reasonAfter, rollStates } from "./states.js";
import { Triage } from "./triage.js";

const head = document.getElementById("roll");
if (head) {
  const rollId = head.dataset.roll!;
  const since = head.dataset.since ?? "0";
  const total = Number(head.dataset.hosts ?? "0");
  const states = hostStates(head);
  const rolls = rollStates(head);
  let status = head.dataset.status ?? "";
  // Running time: the spans that ended (from the server's record of the roll's status changes)
  // plus the one running now; waiting, paused and finished time is not counted.
  let runningClosed = Number(head.dataset.runningMs ?? "0");
  const openMs = Number(head.dataset.openMs ?? "-1");
  let runningSince = openMs >= 0 ? Date.now() - openMs : NaN;
  const hosts = new Map<number, HostState>();
  const cells = new Map<number, HTMLButtonElement>();
  let pending: HostState[] = [];
  let scheduled = false;

  const info = (s: string): HostStateInfo => states.get(s) ?? { name: s, label: label(s), icon: "?", kind: "done", rank: 999 };
  const complete = () => rolls[status]?.complete ?? false;
  const log = new HostLog(rollId, states, (id) => hosts.get(id)?.complete ?? true);
  const triageRoot = document.getElementById("triage");
  const triage = triageRoot ? new Triage(triageRoot, hosts, states, (id) => void log.open(id)) : null;

  const cellFor = (h: HostState): HTMLButtonElement => {
    let cell = cells.get(h.id);
    if (!cell) {
      cell = document.createElement("button");
      cell.type = "button";
      cell.dataset.host = String(h.id);
      document.querySelector(`.batch[data-batch="${h.batch}"] .cells`)?.appendChild(cell);
      cells.set(h.id, cell);
    }
    return cell;
  };

  const drawStatus = () => {
    const badge = document.getElementById("roll-status");
    if (badge) {
      badge.textContent = rolls[status]?.label ?? label(status);
      badge.dataset.status = status;
      badge.className = `badge status-${status}`;
    }
    const live = document.getElementById("roll-live");
    if (live) live.hidden = complete();
    const controls = document.getElementById("roll-controls");
    if (controls) {
      controls.dataset.status = status;
      let any = false;
      // Retry only while a host is retryable (failure or unreachable): otherwise it could only fail.
      const retryable = Array.from(hosts.values()).some((h) => ["failure", "unreachable"].includes(info(h.status).kind));
      controls.querySelectorAll<HTMLFormElement>("form[data-from]").forEach((form) => {
        const needs = form.hasAttribute("data-needs-retryable");
        // Until the hosts are loaded, the server's first answer stands for retry.
        const allowed = (form.dataset.from ?? "").split(" ").includes(status) && (!needs || (hosts.size === 0 ? !form.hidden : retryable));
        form.hidden = !allowed;
        any ||= !form.hidden;
      });
      const none = controls.querySelector<HTMLElement>(".controls-none");
      if (none) none.hidden = any;
    }
    document.body.dataset.rollStatus = status;
  };

  const render = () => {
    scheduled = false;
    for (const h of pending) {
      const before = hosts.get(h.id);
      // Live changes carry no times: the page notes when it heard of a start or an end.
      const heard = new Date().toISOString();
      if (h.startedAt === undefined) h.startedAt = h.status === "RUNNING" && before?.status !== "RUNNING" ? heard : before?.startedAt ?? null;
      if (h.finishedAt === undefined) h.finishedAt = h.complete ? (before?.complete ? before.finishedAt : heard) : null;
      hosts.set(h.id, h);
      const s = info(h.status);
      const cell = cellFor(h);
      cell.className = `cell s-${h.status}`;
      cell.dataset.kind = s.kind;
      cell.textContent = s.icon;
      const words = `${h.name}: ${s.label.toLowerCase()} (${h.step.toLowerCase()})${h.reason ? " — " + h.reason : ""}`;
      cell.title = words;
      cell.setAttribute("aria-label", words);
    }
    if (pending.length > 0) {
      triage?.changed();
      drawStatus();
    }
    // For measurements (RollTriageBrowserTest prints it at 2,000 hosts): when every host was first drawn.
    if (total > 0 && hosts.size === total && performance.getEntriesByName("roll-hosts-drawn").length === 0) {
      performance.mark("roll-hosts-drawn");
    }
    pending = [];
    const counts = new Map<string, number>();
    let finished = 0;
    for (const h of hosts.values()) {
      counts.set(h.status, (counts.get(h.status) ?? 0) + 1);
      if (h.complete) finished++;
    }
    document.querySelectorAll<HTMLElement>("#roll-counts .count").forEach((li) => {
      const n = li.querySelector(".n");
      const text = String(counts.get(li.dataset.state!) ?? 0);
      if (n && n.textContent !== text) n.textContent = text;
    });
    const bar = document.querySelector<HTMLElement>("#roll [role=progressbar]");
    if (bar && total > 0) {
      (bar.firstElementChild as HTMLElement).style.width = `${(100 * finished) / total}%`;
      bar.setAttribute("aria-valuenow", String(finished));
      bar.setAttribute("aria-valuetext", `${finished} of ${total} ${total === 1 ? "host" : "hosts"} done`);
    }
    const running = runningClosed + (isNaN(runningSince) ? 0 : Date.now() - runningSince);
    const el = document.getElementById("roll-elapsed");
    if (el) el.textContent = running > 0 || !isNaN(runningSince) ? duration(running) : "–";
    const eta = document.getElementById("roll-eta");
    if (eta) {
      eta.textContent = complete() ? "done" : isNaN(runningSince) ? "– (not running)"
        : finished > 0 && finished < total ? duration((running / finished) * (total - finished)) : "–";
    }
  };

  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(render);
    }
  };
  const queue = (h: HostState) => {
    pending.push(h);
    schedule();
  };

  const connect = () => {
    const source = new EventSource(`/rolls/${rollId}/events?since=${since}`);
    const live = document.getElementById("roll-live");
    source.onopen = () => { if (live) live.textContent = "● live"; };
    source.onerror = () => { if (live) live.textContent = "reconnecting…"; };
    source.addEventListener("HostChanged", (e) => {
      const h = JSON.parse((e as MessageEvent).data) as HostState;
      delete h.startedAt;
      delete h.finishedAt;
      queue(h);
      log.hostChanged(h.id);
    });
    source.addEventListener("RollChanged", (e) => {
      const roll = JSON.parse((e as MessageEvent).data);
      const now = Date.now();
      if (roll.status === "RUNNING" && isNaN(runningSince)) runningSince = now;
      if (roll.status !== "RUNNING" && !isNaN(runningSince)) {
        runningClosed += now - runningSince;
        runningSince = NaN;
      }
      status = roll.status;
      head.dataset.complete = String(roll.complete);
      head.dataset.failure = String(roll.failure);
      const outcome = document.getElementById("roll-outcome");
      if (outcome && roll.outcome) {
        const o = roll.outcome;
        outcome.textContent = `${o.succeeded} succeeded · ${o.failed} failed · ${o.unreachable} unreachable · ${o.skipped} skipped`;
      }
      const links = document.getElementById("roll-links");
      if (links && (roll.rollbackOf || roll.rolledBackBy)) {
        links.replaceChildren();
        const link = (text: string, id: number, el: string) => {
          const a = document.createElement("a");
          a.href = `/rolls/${id}`;
          a.id = el;
          a.textContent = `roll ${id}`;
          links.append(text, a);
        };
        if (roll.rollbackOf) link("rollback of ", roll.rollbackOf, "roll-rollback-of");
        if (roll.rolledBackBy) link("rolled back by ", roll.rolledBackBy, "roll-rolled-back-by");
      }
      const reason = document.getElementById("roll-reason");
      if (reason) reason.textContent = reasonAfter(roll.status, roll.reason);
      const batch = document.getElementById("roll-batch");
      if (batch) batch.textContent = String(roll.currentBatch + 1);
      drawStatus();
      schedule();
    });
  };

  drawStatus();
  fetch(`/rolls/${rollId}/hosts.json`, { headers: { Accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`hosts: HTTP ${r.status}`))))
    .then((list: HostState[]) => {
      list.forEach(queue);
      if (list.length === 0) triage?.changed();
    })
    .catch((e) => console.error("roll page:", e))
    .finally(connect);
  // The running clock ticks once a second; nothing else is polled.
  setInterval(schedule, 1000);

  document.getElementById("roll-grid")?.addEventListener("click", (e) => {
    const cell = (e.target as HTMLElement).closest<HTMLElement>(".cell");
    if (cell) void log.open(Number(cell.dataset.host));
  });
}
