// The page tree and the trash: create, rename, move, delete and restore through the REST API;
// who is on each page now.
import { api, toast } from "./api.js";
import { pollPresence, renderPresence } from "./page-presence.js";

const tree = document.getElementById("tree");
const dialog = document.getElementById("page-dialog");

function rows() {
  return tree ? [...tree.querySelectorAll("li[data-id]")] : [];
}

function descendants(id) {
  const below = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const li of rows()) {
      if (!below.has(li.dataset.id) && below.has(li.dataset.parent)) {
        below.add(li.dataset.id);
        grew = true;
      }
    }
  }
  return below;
}

function askPage({ heading, title = "", parent = "", showTitle = true, showParent = true, exclude = new Set() }) {
  const form = dialog.querySelector("form");
  dialog.querySelector("h2").textContent = heading;
  const titleInput = form.elements.title;
  const parentSelect = form.elements.parent;
  dialog.querySelector('[data-field="title"]').hidden = !showTitle;
  dialog.querySelector('[data-field="parent"]').hidden = !showParent;
  titleInput.required = showTitle;
  titleInput.value = title;
  parentSelect.replaceChildren(new Option("(top level)", ""));
  for (const li of rows()) {
    if (exclude.has(li.dataset.id) || li.dataset.role === "viewer") continue;
    const label = `${"\u2003".repeat(Number(li.dataset.depth) || 0)}${li.dataset.title}`;
    parentSelect.append(new Option(label, li.dataset.id));
  }
  parentSelect.value = parent;
  const error = dialog.querySelector(".error-text");
  error.textContent = "";
  return new Promise((resolve) => {
    const close = () => {
      dialog.close();
      form.removeEventListener("submit", submit);
      dialog.removeEventListener("cancel", cancel);
      dialog.querySelector("[data-close]").removeEventListener("click", cancel);
    };
    const submit = (event) => {
      event.preventDefault();
      resolve({ title: titleInput.value.trim(), parent: parentSelect.value || null, error, close });
    };
    const cancel = () => {
      close();
      resolve(null);
    };
    form.addEventListener("submit", submit);
    dialog.addEventListener("cancel", cancel);
    dialog.querySelector("[data-close]").addEventListener("click", cancel);
    dialog.showModal();
    (showTitle ? titleInput : parentSelect).focus();
  });
}

async function submitUntilDone(options, send) {
  for (;;) {
    const answer = await askPage(options);
    if (!answer) return;
    try {
      const result = await send(answer);
      answer.close();
      return result;
    } catch (error) {
      answer.error.textContent = error.message;
    }
  }
}

async function onAction(event) {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  const li = button.closest("li[data-id]");
  const id = li?.dataset.id;
  switch (button.dataset.action) {
    case "create":
    case "create-child": {
      const page = await submitUntilDone(
        { heading: "New page", parent: id ?? "" },
        ({ title, parent }) => api("POST", "/api/pages/", { title, parent }),
      );
      if (page) window.location.href = page.url;
      break;
    }
    case "rename": {
      const done = await submitUntilDone(
        { heading: "Rename page", title: li.dataset.title, showParent: false },
        ({ title }) => api("PATCH", `/api/pages/${id}/`, { title }),
      );
      if (done) window.location.reload();
      break;
    }
    case "move": {
      const done = await submitUntilDone(
        { heading: `Move “${li.dataset.title}”`, parent: li.dataset.parent, showTitle: false, exclude: descendants(id) },
        ({ parent }) => api("PATCH", `/api/pages/${id}/`, { parent }),
      );
      if (done) window.location.reload();
      break;
    }
    case "delete": {
      if (!window.confirm(`Move “${li.dataset.title}” and the pages below it to the trash?`)) return;
      try {
        await api("DELETE", `/api/pages/${id}/`);
        window.location.reload();
      } catch (error) {
        toast(error.message);
      }
      break;
    }
    case "untrash": {
      try {
        await api("POST", `/api/trash/${id}/restore/`);
        window.location.reload();
      } catch (error) {
        toast(error.message);
      }
      break;
    }
  }
}

document.addEventListener("click", onAction);

const filter = document.getElementById("filter");
filter?.addEventListener("input", () => {
  const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
  for (const li of rows()) {
    const title = li.dataset.title.toLowerCase();
    li.hidden = !words.every((word) => title.includes(word));
  }
});

// Who is on each page now: rendered by the server, refreshed here.
const list = document.getElementById("page-list");
if (tree && list && list.dataset.presenceUrl) {
  pollPresence({
    url: list.dataset.presenceUrl,
    seconds: (Number(list.dataset.presenceRefreshMs) || 10_000) / 1000,
    fetchJson: (url) => api("GET", url),
    apply: (counts) => {
      for (const li of rows()) {
        const pill = li.querySelector(":scope > .row [data-editing]");
        if (pill) renderPresence(pill, counts[li.dataset.id]);
      }
    },
  });
}
