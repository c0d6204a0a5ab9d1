// The page list's "2 editing" pills: labels (the same words as documents/selectors/presence.py
// renders on the server) and a refresh every few seconds while the tab is visible.

/** "2 editing", or "1 viewing" when nobody on the page may edit it. */
export function presenceLabel({ people, editing }) {
  return editing ? `${editing} editing` : `${people} viewing`;
}

/** The pill's tooltip, e.g. "3 people have this page open now: 2 editing, 1 viewing". */
export function presenceDescription({ people, editing }) {
  const viewing = people - editing;
  if (editing && viewing) return `${people} people have this page open now: ${editing} editing, ${viewing} viewing`;
  const who = people === 1 ? "1 person is" : `${people} people are`;
  return `${who} ${editing ? "editing" : "viewing"} this page now`;
}

/** Show one row's pill for `presence` ({people, editing}), or hide it when nobody is there. */
export function renderPresence(pill, presence) {
  const here = presence && presence.people > 0 ? presence : null;
  pill.hidden = !here;
  if (!here) {
    pill.textContent = "";
    pill.removeAttribute("title");
    pill.classList.remove("is-viewing");
    return;
  }
  const label = presenceLabel(here);
  if (pill.textContent !== label) pill.textContent = label;
  pill.title = presenceDescription(here);
  pill.classList.toggle("is-viewing", !here.editing);
}

/**
 * Poll `url` every `seconds` while the page is visible (and at once when it comes back);
 * `apply(counts)` gets `{pageId: {people, editing}}`. Stops for good when the session ends.
 */
export function pollPresence({ url, seconds, apply, fetchJson, doc = document }) {
  let timer = null;
  let stopped = false;
  const schedule = () => {
    clearTimeout(timer);
    if (!stopped && doc.visibilityState !== "hidden") timer = setTimeout(tick, seconds * 1000);
  };
  async function tick() {
    try {
      apply(await fetchJson(url));
    } catch (error) {
      // Signed out: the next reload shows the sign-in page; no point asking again.
      if (error && (error.status === 401 || error.status === 403)) stopped = true;
    }
    schedule();
  }
  doc.addEventListener("visibilitychange", () => {
    if (doc.visibilityState === "visible") tick();
    else clearTimeout(timer);
  });
  schedule();
  return { stop: () => { stopped = true; clearTimeout(timer); }, tick };
}
