// Typed confirmation for actions that cannot be taken back: a form with
// data-confirm-typed="prod" (and data-confirm-message) opens a dialog that submits only after
// the person types that word, as GitHub asks for a repository's name before deleting it.
// Without JavaScript the form posts as it always did; the server's own checks still hold.

let dialog: HTMLDialogElement | null = null;

function build(): HTMLDialogElement {
  const d = document.createElement("dialog");
  d.className = "confirm-dialog";
  d.setAttribute("aria-labelledby", "confirm-title");
  d.innerHTML = `<form method="dialog">
    <h2 id="confirm-title">Are you sure?</h2>
    <p class="confirm-message"></p>
    <label><span>Type <code class="confirm-word"></code> to confirm</span>
      <input class="confirm-input" autocomplete="off" autocapitalize="off" spellcheck="false"></label>
    <div class="confirm-buttons">
      <button class="btn" value="cancel" type="submit">Keep it</button>
      <button class="btn btn-danger confirm-ok" value="ok" type="submit" disabled></button>
    </div></form>`;
  document.body.appendChild(d);
  return d;
}

function ask(form: HTMLFormElement, submitter: HTMLElement | null): void {
  const word = form.dataset.confirmTyped!;
  dialog ??= build();
  const d = dialog;
  const input = d.querySelector<HTMLInputElement>(".confirm-input")!;
  const ok = d.querySelector<HTMLButtonElement>(".confirm-ok")!;
  d.querySelector(".confirm-message")!.textContent = form.dataset.confirmMessage ?? "";
  d.querySelector(".confirm-word")!.textContent = word;
  ok.textContent = submitter?.textContent?.trim() || "Confirm";
  d.querySelector("#confirm-title")!.textContent = `${ok.textContent}?`;
  input.value = "";
  ok.disabled = true;
  input.oninput = () => { ok.disabled = input.value.trim() !== word; };
  d.onclose = () => {
    if (d.returnValue === "ok" && input.value.trim() === word) {
      form.dataset.confirmed = "yes";
      form.requestSubmit(submitter instanceof HTMLButtonElement ? submitter : undefined);
    }
  };
  d.returnValue = "";
  d.showModal();
  input.focus();
}

document.addEventListener("submit", (event) => {
  const form = event.target as HTMLFormElement;
  if (!form.dataset.confirmTyped) return;
  if (form.dataset.confirmed === "yes") {
    delete form.dataset.confirmed;
    return;
  }
  event.preventDefault();
  event.stopImmediatePropagation();
  ask(form, (event as SubmitEvent).submitter);
}, true);
export {};
