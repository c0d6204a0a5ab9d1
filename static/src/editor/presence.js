// Who is on the page now: an avatar row built from awareness states, one avatar per
// account (several tabs of one person count once), yours first, idle after a minute
// without typing or moving the cursor.

export const IDLE_AFTER_MS = 60_000;
const ACTIVITY_EVERY_MS = 4_000;
const MAX_VISIBLE = 5;

/**
 * Groups awareness states by account. `seen` maps client id -> {value, at}: when this
 * browser last saw that client's `lastActive` change. We judge idleness by our own clock
 * so that a remote machine with a wrong clock does not look idle (or awake) forever; only
 * a client we have just met is judged by its own timestamp.
 * @returns {Array<{id: string, name: string, color: string, initials: string,
 *   clientIds: number[], self: boolean, idle: boolean, mode: string}>}
 */
export function summarizePeople(states, localClientId, seen, now = Date.now()) {
  const people = new Map();
  let localUserId = null;
  const local = states.get(localClientId);
  if (local && local.user) localUserId = String(local.user.id);
  for (const [clientId, state] of states) {
    if (!state || !state.user || state.user.id === undefined) continue;
    const user = state.user;
    const id = String(user.id);
    let lastActive = typeof state.lastActive === "number" ? state.lastActive : 0;
    const mark = seen.get(clientId);
    if (clientId !== localClientId) {
      if (!mark || mark.value !== lastActive) {
        const at = mark ? now : Math.min(now, lastActive || now);
        seen.set(clientId, { value: lastActive, at });
      }
      lastActive = seen.get(clientId).at;
    }
    let person = people.get(id);
    if (!person) {
      person = {
        id,
        name: user.name || "Someone",
        color: user.color || "#5b6475",
        initials: user.initials || "?",
        clientIds: [],
        self: id === localUserId,
        lastActive: 0,
        mode: "view",
      };
      people.set(id, person);
    }
    person.clientIds.push(clientId);
    person.lastActive = Math.max(person.lastActive, lastActive);
    if (state.mode === "edit") person.mode = "edit";
  }
  for (const clientId of [...seen.keys()]) if (!states.has(clientId)) seen.delete(clientId);
  const list = [...people.values()].map((person) => ({
    ...person,
    idle: !person.self && now - person.lastActive > IDLE_AFTER_MS,
  }));
  // Yours first, then in the order the states arrived (a Map keeps insertion order).
  return list.sort((a, b) => b.self - a.self);
}

export class Presence {
  constructor({ awareness, element, onJump }) {
    this.awareness = awareness;
    this.element = element;
    this.onJump = onJump;
    this.seen = new Map();
    this._elements = new Map(); // account id -> <li>
    this.order = new Map(); // client id -> arrival counter, for a stable order
    this.arrivals = 0;
    this._lastSent = 0;
    this._render = () => this.render();
    awareness.on("change", this._render);
    this._timer = setInterval(this._render, 10_000);
    this.render();
  }

  /** Call on input and selection changes; tells the others at most every few seconds. */
  markActive() {
    const now = Date.now();
    if (now - this._lastSent < ACTIVITY_EVERY_MS) return;
    this._lastSent = now;
    this.awareness.setLocalStateField("lastActive", now);
  }

  render() {
    const states = this.awareness.getStates();
    for (const clientId of states.keys()) if (!this.order.has(clientId)) this.order.set(clientId, this.arrivals++);
    for (const clientId of [...this.order.keys()]) if (!states.has(clientId)) this.order.delete(clientId);
    const people = summarizePeople(states, this.awareness.clientID, this.seen);
    for (const person of people) person.arrival = Math.min(...person.clientIds.map((id) => this.order.get(id)));
    people.sort((a, b) => (b.self - a.self) || (a.arrival - b.arrival));
    this.people = people;

    const visible = people.slice(0, MAX_VISIBLE + (people.length === MAX_VISIBLE + 1 ? 1 : 0));
    const hidden = people.slice(visible.length);
    // Update avatars in place (keyed by account) so that a focused avatar keeps focus and
    // its tooltip while cursors move, which changes awareness many times a second.
    const items = visible.map((person) => this._avatar(person));
    if (hidden.length) {
      if (!this._more) {
        this._more = document.createElement("li");
        this._more.className = "avatar avatar-more";
        this._more.tabIndex = 0;
      }
      const more = this._more;
      more.dataset.tooltip = hidden.map((p) => describe(p)).join("\n");
      more.setAttribute("aria-label", `${hidden.length} more: ${hidden.map((p) => p.name).join(", ")}`);
      more.textContent = `+${hidden.length}`;
      items.push(more);
    }
    const current = [...this.element.children];
    if (current.length !== items.length || current.some((child, i) => child !== items[i])) {
      this.element.replaceChildren(...items);
    }
    for (const id of [...this._elements.keys()]) {
      if (!visible.some((p) => p.id === id)) this._elements.delete(id);
    }
    const others = people.filter((p) => !p.self).length;
    this.element.setAttribute(
      "aria-label",
      others === 0 ? "Only you are on this page" : `${others + 1} people on this page`,
    );
  }

  _avatar(person) {
    const label = describe(person);
    const interactive = !person.self && Boolean(this.onJump);
    let li = this._elements.get(person.id);
    if (!li || li.dataset.interactive !== String(interactive)) {
      li = document.createElement("li");
      li.dataset.interactive = String(interactive);
      const face = document.createElement(interactive ? "button" : "span");
      face.className = "avatar-face";
      if (interactive) {
        face.type = "button";
        face.addEventListener("click", () => {
          const latest = (this.people || []).find((p) => p.id === li.dataset.userId);
          if (latest) this.onJump(latest);
        });
      } else {
        face.setAttribute("role", "img");
      }
      li.append(face);
      this._elements.set(person.id, li);
    }
    const face = li.firstChild;
    li.className = "avatar";
    li.classList.toggle("is-idle", person.idle);
    li.classList.toggle("is-self", person.self);
    li.style.setProperty("--avatar", person.color);
    li.dataset.userId = person.id;
    li.dataset.tooltip = label;
    face.setAttribute("aria-label", interactive ? `${label}. Go to their cursor` : label);
    if (face.textContent !== person.initials) face.textContent = person.initials;
    return li;
  }

  destroy() {
    clearInterval(this._timer);
    this.awareness.off("change", this._render);
  }
}

function describe(person) {
  const parts = [person.self ? `${person.name} (you)` : person.name];
  if (person.mode === "view") parts.push("viewing");
  if (person.idle) parts.push("idle");
  return parts.join(" · ");
}
