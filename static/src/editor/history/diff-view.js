// Shows versions and diffs from the API (HTML made by documents.rendering and documents.diff):
// a read-only page, an inline diff, or a side-by-side diff whose rows line up, with a way to
// step from one change to the next.

const reducedMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Makes rendered page HTML read-only and laid out as in the editor. */
export function prepareContent(container) {
  for (const input of container.querySelectorAll("input, textarea, select")) {
    input.disabled = true;
    input.tabIndex = -1;
  }
  for (const table of container.querySelectorAll("table")) {
    if (table.parentElement && table.parentElement.classList.contains("tableWrapper")) continue;
    const wrapper = element("div", "tableWrapper");
    table.replaceWith(wrapper);
    wrapper.append(table);
  }
  for (const link of container.querySelectorAll("a[href]")) {
    link.target = "_blank";
    link.rel = "noopener noreferrer nofollow";
  }
}

/** The page as it was in a version. */
export function renderVersion(container, version) {
  const article = element("article", "history-doc");
  article.append(element("h1", "history-doc-title", (version.title || "").trim() || "Untitled"));
  const body = element("div", "page-content history-doc-body");
  body.innerHTML = version.html || "";
  if (!body.childElementCount) body.append(element("p", "history-empty-doc", "This version is empty."));
  prepareContent(body);
  article.append(body);
  container.replaceChildren(article);
  return article;
}

function parseRows(html) {
  const template = document.createElement("template");
  template.innerHTML = html || "";
  return [...template.content.children];
}

/**
 * A diff between two versions, inline or side by side.
 * @param {{from: object, to: object}} versions  the two versions' list entries (for titles and column heads)
 */
export function renderDiff(container, diff, { mode, versions }) {
  const article = element("article", `history-doc is-diff is-${mode === "side_by_side" ? "side-by-side" : "inline"}`);
  const oldTitle = (versions.from && versions.from.title) || "";
  const newTitle = (versions.to && versions.to.title) || "";
  if (versions.from && versions.to && oldTitle !== newTitle) {
    const line = element("p", "diff-title-change");
    const del = element("del", "diff-del", oldTitle || "Untitled");
    const ins = element("ins", "diff-ins", newTitle || "Untitled");
    line.append(element("span", "diff-title-label", "Title"), del, document.createTextNode(" "), ins);
    line.dataset.change = "title";
    article.append(line);
  }
  article.append(element("h1", "history-doc-title", newTitle.trim() || "Untitled"));
  if (!diff.changes || diff.changes.length === 0) {
    const same = element("p", "diff-identical", "No differences in the content: these versions read the same.");
    article.append(same);
  }
  if (mode === "side_by_side") {
    const grid = element("div", "diff-sbs page-content");
    grid.append(
      element("div", "diff-sbs-head", versions.from ? `Version ${versions.from.number}` : "Before"),
      element("div", "diff-sbs-head", versions.to ? `Version ${versions.to.number}` : "After"),
    );
    const before = parseRows(diff.side_by_side && diff.side_by_side.before);
    const after = parseRows(diff.side_by_side && diff.side_by_side.after);
    for (let index = 0; index < Math.max(before.length, after.length); index++) {
      const left = before[index] || element("div", "diff-row");
      const right = after[index] || element("div", "diff-row");
      left.classList.add("diff-side-before");
      right.classList.add("diff-side-after");
      grid.append(left, right);
    }
    article.append(grid);
    // Opening a folded stretch on one side opens it on the other, so the rows stay level.
    grid.addEventListener(
      "toggle",
      (event) => {
        const details = event.target;
        if (!(details instanceof HTMLDetailsElement) || !details.dataset.row) return;
        for (const twin of grid.querySelectorAll(`details[data-row="${CSS.escape(details.dataset.row)}"]`)) {
          if (twin !== details && twin.open !== details.open) twin.open = details.open;
        }
      },
      true,
    );
  } else {
    const body = element("div", "page-content diff-doc");
    body.innerHTML = diff.html || "";
    article.append(body);
  }
  prepareContent(article);
  container.replaceChildren(article);
  // A moved block and the place it left point at each other.
  article.addEventListener("click", (event) => {
    if (event.target.closest("a")) return;
    const moved = event.target.closest("[data-move]");
    if (!moved) return;
    const twin = [...article.querySelectorAll(`[data-move="${CSS.escape(moved.dataset.move)}"]`)].find((node) => node !== moved);
    if (twin) flash(twin);
  });
  return article;
}

function flash(target) {
  target.scrollIntoView({ block: "center", behavior: reducedMotion() ? "auto" : "smooth" });
  target.classList.remove("is-flashing");
  void target.offsetWidth;
  target.classList.add("is-flashing");
}

/** Steps through the changes of a rendered diff ("next change"), one stop per change. */
export class ChangeNavigator {
  constructor(root) {
    const seen = new Map();
    for (const node of root.querySelectorAll("[data-change]")) {
      // Side by side, a change has an element in each column: stop at the row, once.
      const key = node.dataset.change;
      if (!seen.has(key)) seen.set(key, node.closest(".diff-row") || node);
    }
    this.stops = [...seen.values()];
    this.index = -1;
  }

  get count() {
    return this.stops.length;
  }

  go(step) {
    if (!this.stops.length) return null;
    this.index = this.index < 0 ? (step > 0 ? 0 : this.stops.length - 1) : (this.index + step + this.stops.length) % this.stops.length;
    const target = this.stops[this.index];
    for (const stop of this.stops) stop.classList.toggle("is-current-change", stop === target);
    flash(target);
    return target;
  }
}
