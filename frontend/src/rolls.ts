// The live roll page: a snapshot of the hosts, then Server-Sent Events. Events are coalesced
// and applied once per animation frame, so a 1,000-host roll stays responsive.

interface HostState {
  id: number;
  name: string;
  batch: number;
  status: string;
  step: string;
  reason: string | null;
  /** Set by the server from HostStatus's sets: the host is done, whatever the outcome. */
  complete: boolean;
}

const head = document.getElementById("roll");
if (head) {
  const rollId = head.dataset.roll!;
  const since = head.dataset.since ?? "0";
  const total = Number(head.dataset.hosts ?? "0");
  let startedAt = head.dataset.started ? Date.parse(head.dataset.started) : NaN;
  let finishedAt = head.dataset.finished ? Date.parse(head.dataset.finished) : NaN;
  const hosts = new Map<number, HostState>();
  const cells = new Map<number, HTMLButtonElement>();
  let pending: HostState[] = [];
  let scheduled = false;
  // Which states are "done" is HostStatus's rule: hosts.json and every HostChanged event carry it as `complete`.
  const done = (h: HostState) => h.complete;

  const cellFor = (h: HostState): HTMLButtonElement => {
    let cell = cells.get(h.id);
    if (!cell) {
      cell = document.createElement("button");
      cell.type = "button";
      cell.className = "cell";
      cell.dataset.host = String(h.id);
      const container = document.querySelector(`.batch[data-batch="${h.batch}"] .cells`);
      container?.appendChild(cell);
      cells.set(h.id, cell);
    }
    return cell;
  };

  const render = () => {
    scheduled = false;
    for (const h of pending) {
      hosts.set(h.id, h);
      const cell = cellFor(h);
      cell.className = `cell s-${h.status}`;
      cell.title = `${h.name}: ${h.status.toLowerCase()} (${h.step.toLowerCase()})${h.reason ? " — " + h.reason : ""}`;
    }
    pending = [];
    const counts = new Map<string, number>();
    let finished = 0;
    for (const h of hosts.values()) {
      counts.set(h.status, (counts.get(h.status) ?? 0) + 1);
      if (done(h)) finished++;
    }
    document.querySelectorAll<HTMLElement>("#roll-counts .count").forEach((li) => {
      const n = li.querySelector(".n");
      if (n) n.textContent = String(counts.get(li.dataset.state!) ?? 0);
    });
    const bar = document.getElementById("roll-progress");
    if (bar && total > 0) bar.style.width = `${(100 * finished) / total}%`;
    const elapsed = (isNaN(finishedAt) ? Date.now() : finishedAt) - startedAt;
    const el = document.getElementById("roll-elapsed");
    if (el && !isNaN(startedAt)) el.textContent = `${Math.round(elapsed / 1000)} s`;
    const eta = document.getElementById("roll-eta");
    if (eta) {
      eta.textContent = !isNaN(finishedAt) ? "done" : finished > 0 && !isNaN(startedAt)
        ? `${Math.round(((elapsed / finished) * (total - finished)) / 1000)} s` : "–";
    }
  };

  const queue = (h: HostState) => {
    pending.push(h);
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(render);
    }
  };

  const connect = () => {
    const source = new EventSource(`/rolls/${rollId}/events?since=${since}`);
    const live = document.getElementById("roll-live");
    source.onopen = () => { if (live) live.textContent = "● live"; };
    source.onerror = () => { if (live) live.textContent = "reconnecting…"; };
    source.addEventListener("HostChanged", (e) => queue(JSON.parse((e as MessageEvent).data) as HostState));
    source.addEventListener("RollChanged", (e) => {
      const roll = JSON.parse((e as MessageEvent).data);
      const status = document.getElementById("roll-status");
      if (status) {
        // Wording, "complete" and "failure" come from RollStatus through the event: no copy of its sets here.
        status.dataset.status = roll.status; // before the text: triage.ts reads it when the text changes
        status.textContent = roll.label;
        status.className = `badge status-${roll.status}`;
      }
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
      if (reason) reason.textContent = roll.reason ?? "";
      const batch = document.getElementById("roll-batch");
      if (batch) batch.textContent = String(roll.currentBatch + 1);
      if (roll.status === "RUNNING" && isNaN(startedAt)) startedAt = Date.now();
      if (roll.complete) finishedAt = Date.now();
      else finishedAt = NaN;
      document.body.dataset.rollStatus = roll.status;
    });
  };

  fetch(`/rolls/${rollId}/hosts.json`, { headers: { Accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`hosts: HTTP ${r.status}`))))
    .then((list: HostState[]) => list.forEach(queue))
    .catch((e) => console.error("roll page:", e))
    .finally(connect);
  setInterval(() => { if (!scheduled) { scheduled = true; requestAnimationFrame(render); } }, 1000);

  document.getElementById("roll-grid")?.addEventListener("click", async (e) => {
    const cell = (e.target as HTMLElement).closest<HTMLElement>(".cell");
    if (!cell) return;
    const r = await fetch(`/rolls/${rollId}/hosts/${cell.dataset.host}/log.json`, { headers: { Accept: "application/json" } });
    const log = await r.json();
    (document.getElementById("host-log-title") as HTMLElement).textContent = `${log.name}: ${log.status}`;
    (document.getElementById("host-log-text") as HTMLElement).textContent = log.log || "(no output yet)";
    (document.getElementById("host-log") as HTMLDialogElement).showModal();
  });
}
