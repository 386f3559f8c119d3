// The roll page beside rolls.ts (which owns the grid and the event stream): keeps the controls
// and the progress bar's screen-reader values in step with what rolls.ts draws, and gives each
// host cell its state in words. It only observes the DOM, so the two files change independently.

const controls = document.getElementById("roll-controls");
const status = document.getElementById("roll-status");
const bar = document.querySelector<HTMLElement>("#roll .progress[role=progressbar]");
const head = document.getElementById("roll");

/** The controls show only what the roll's status allows (CSS reads data-status). */
function syncControls(): void {
  // The badge shows the status in words (RollStatus.label); its name is in data-status.
  const name = status?.dataset.status ?? status?.textContent?.trim();
  if (controls && name) controls.dataset.status = name;
}

/** aria-valuenow and a spoken text for the progress bar, from the counts rolls.ts keeps. */
function syncProgress(): void {
  if (!bar || !head) return;
  const total = Number(head.dataset.hosts ?? "0");
  // rolls.ts draws the share of finished hosts as the bar's width; read it back as a count.
  const width = parseFloat(document.getElementById("roll-progress")?.style.width ?? "0") || 0;
  const done = Math.round((width * total) / 100);
  bar.setAttribute("aria-valuenow", String(done));
  bar.setAttribute("aria-valuetext", `${done} of ${total} hosts done`);
}

/** Host cells: the state in the accessible name, not only in the colour. */
function labelCells(root: ParentNode): void {
  root.querySelectorAll<HTMLElement>(".cell[title]").forEach((cell) => cell.setAttribute("aria-label", cell.title));
}

if (controls || bar) {
  syncControls();
  syncProgress();
  labelCells(document);
  const observer = new MutationObserver((records) => {
    syncControls();
    syncProgress();
    for (const r of records) {
      if (r.attributeName === "title" && r.target instanceof HTMLElement && r.target.classList.contains("cell")) {
        r.target.setAttribute("aria-label", r.target.title);
      }
    }
  });
  const watch = [status, document.getElementById("roll-progress"), document.getElementById("roll-grid")];
  watch.forEach((el) => el && observer.observe(el, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ["title", "style"] }));
}

export {};
