// One host's log in a dialog: long lines wrap (a cut-off "Couldn't connect to server" hides the
// reason), a filter finds lines, and while the host runs the log follows it: the runner stores
// the log with every step it reaches, and each of those stores is a HostChanged event on the
// page's stream, so the dialog fetches the log again when its host changes.

import { HostStateInfo } from "./states.js";

interface LogAnswer {
  id: number;
  name: string;
  status: string;
  log: string;
}

export class HostLog {
  private readonly dialog: HTMLDialogElement;
  private readonly title: HTMLElement;
  private readonly text: HTMLElement;
  private readonly find: HTMLInputElement;
  private readonly note: HTMLElement;
  private current: number | null = null;
  private log = "";
  private complete = true;
  private fetching = false;
  private again = false;

  constructor(
    private readonly rollId: string,
    private readonly states: Map<string, HostStateInfo>,
    private readonly isComplete: (id: number) => boolean,
  ) {
    this.dialog = document.getElementById("host-log") as HTMLDialogElement;
    this.title = document.getElementById("host-log-title")!;
    this.text = document.getElementById("host-log-text")!;
    this.find = document.getElementById("host-log-find") as HTMLInputElement;
    this.note = document.getElementById("host-log-note")!;
    this.find.addEventListener("input", () => this.draw(false));
    this.dialog.addEventListener("close", () => {
      this.current = null;
    });
  }

  async open(id: number): Promise<void> {
    this.current = id;
    this.find.value = "";
    this.log = "";
    this.text.textContent = "";
    this.title.textContent = "Loading the log…";
    if (!this.dialog.open) this.dialog.showModal();
    await this.load();
  }

  /** A host changed: if its log is open, fetch it again (one request at a time, the latest wins). */
  hostChanged(id: number): void {
    if (id === this.current) void this.load();
  }

  private async load(): Promise<void> {
    if (this.fetching) {
      this.again = true;
      return;
    }
    const id = this.current;
    if (id === null) return;
    this.fetching = true;
    try {
      const r = await fetch(`/rolls/${this.rollId}/hosts/${id}/log.json`, { headers: { Accept: "application/json" } });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const answer = (await r.json()) as LogAnswer;
      if (this.current !== id) return;
      const label = this.states.get(answer.status)?.label ?? answer.status;
      this.title.textContent = `${answer.name}: ${label}`;
      this.complete = this.isComplete(id) || (this.states.get(answer.status)?.kind ?? "done") !== "open";
      this.log = answer.log ?? "";
      this.draw(true);
    } catch (e) {
      this.note.textContent = `The log could not be loaded (${(e as Error).message}).`;
    } finally {
      this.fetching = false;
      if (this.again) {
        this.again = false;
        void this.load();
      }
    }
  }

  private draw(follow: boolean): void {
    const atEnd = this.text.scrollTop + this.text.clientHeight >= this.text.scrollHeight - 4;
    const lines = this.log.length > 0 ? this.log.replace(/\n$/, "").split("\n") : [];
    const needle = this.find.value.trim().toLowerCase();
    const shown = needle ? lines.filter((l) => l.toLowerCase().includes(needle)) : lines;
    this.text.textContent = lines.length === 0 ? "(no output yet)" : shown.join("\n");
    const status = this.complete ? "The host has finished: this is its whole log." : "Live: the log grows as the host reaches each step.";
    this.note.textContent = needle ? `${shown.length} of ${lines.length} lines contain “${this.find.value.trim()}”. ${status}` : status;
    this.dialog.dataset.live = String(!this.complete);
    if (follow && atEnd) this.text.scrollTop = this.text.scrollHeight;
  }
}
