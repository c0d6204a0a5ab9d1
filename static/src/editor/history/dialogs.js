// The two questions the history asks: "Restore this version?" and "Name the current version".
// Native <dialog>s (focus kept inside, Esc cancels); they stay open with the server's message
// when a request fails.

function dialogShell(className) {
  const dialog = document.createElement("dialog");
  dialog.className = `history-dialog ${className}`;
  document.body.append(dialog);
  return dialog;
}

/**
 * Opens a dialog whose form runs `submit(form)` (a promise) on Save; resolves with its result,
 * or null when cancelled. Errors (ApiError) are shown in the dialog, which stays open.
 */
function run(dialog, { submit, busyLabel, focus }) {
  const form = dialog.querySelector("form");
  const error = dialog.querySelector(".error-text");
  const confirm = dialog.querySelector("[data-confirm]");
  const idleLabel = confirm.textContent;
  error.textContent = "";
  return new Promise((resolve) => {
    let busy = false;
    const finish = (value) => {
      form.removeEventListener("submit", onSubmit);
      dialog.removeEventListener("cancel", onCancel);
      dialog.querySelector("[data-cancel]").removeEventListener("click", onCancel);
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    const onCancel = (event) => {
      event.preventDefault();
      if (!busy) finish(null);
    };
    const onSubmit = async (event) => {
      event.preventDefault();
      if (busy) return;
      busy = true;
      confirm.disabled = true;
      confirm.textContent = busyLabel;
      error.textContent = "";
      try {
        finish(await submit(form));
      } catch (failure) {
        error.textContent = failure && failure.message ? failure.message : "Something went wrong. Try again.";
        busy = false;
        confirm.disabled = false;
        confirm.textContent = idleLabel;
      }
    };
    form.addEventListener("submit", onSubmit);
    dialog.addEventListener("cancel", onCancel);
    dialog.querySelector("[data-cancel]").addEventListener("click", onCancel);
    dialog.showModal();
    (focus ? dialog.querySelector(focus) : confirm).focus();
  });
}

/** Asks before restoring; `restore()` is called on confirmation and its result returned. */
export function confirmRestore({ number, when, restore }) {
  const dialog = dialogShell("restore-dialog");
  dialog.setAttribute("aria-labelledby", "restore-title");
  dialog.setAttribute("aria-describedby", "restore-what");
  dialog.innerHTML = `
    <form method="dialog">
      <h2 id="restore-title"></h2>
      <p id="restore-what"></p>
      <ul class="restore-facts">
        <li><strong>It becomes a new version.</strong> The history keeps every version before it.</li>
        <li><strong>Nothing is lost.</strong> The page as it is now stays in the history; you can restore it again.</li>
        <li><strong>Everyone sees it at once.</strong> People editing now get the restored content without reloading.</li>
      </ul>
      <p class="error-text" role="alert"></p>
      <div class="buttons">
        <button type="button" data-cancel>Cancel</button>
        <button type="submit" class="primary" data-confirm></button>
      </div>
    </form>`;
  dialog.querySelector("h2").textContent = `Restore version ${number}?`;
  dialog.querySelector("#restore-what").textContent = `The page's content goes back to how it was in version ${number} (${when}).`;
  dialog.querySelector("[data-confirm]").textContent = `Restore version ${number}`;
  return run(dialog, { submit: () => restore(), busyLabel: "Restoring…" });
}

/** Asks for a name for the page as it is now; `save(label)` is called with it. */
export function askVersionName({ save, maxLength = 255 }) {
  const dialog = dialogShell("name-dialog");
  dialog.setAttribute("aria-labelledby", "name-version-title");
  dialog.innerHTML = `
    <form method="dialog" novalidate>
      <h2 id="name-version-title">Name the current version</h2>
      <p class="subtle">Saves the page as it is now under a name, so it is easy to find, compare and restore later.</p>
      <label>Name
        <input type="text" name="label" autocomplete="off" required placeholder="e.g. Before the reorg">
      </label>
      <p class="error-text" role="alert"></p>
      <div class="buttons">
        <button type="button" data-cancel>Cancel</button>
        <button type="submit" class="primary" data-confirm>Save version</button>
      </div>
    </form>`;
  const input = dialog.querySelector("input");
  input.maxLength = maxLength;
  return run(dialog, {
    focus: "input",
    busyLabel: "Saving…",
    submit: (form) => {
      const label = form.elements.label.value.trim();
      if (!label) {
        input.focus();
        return Promise.reject(new Error("Type a name for this version."));
      }
      return save(label);
    },
  });
}
