// A member's role menu in the Share dialog (WAI-ARIA menu button): the three roles with what
// they allow, and "Remove access". Not a native <select>: on Windows and Linux, arrowing
// through a closed select fires "change" on every key press, which here would send a role
// change (or make someone an owner) per key. It lives inside the dialog, since a modal
// dialog makes the rest of the page inert.
import { ROLES } from "./model.js";

const check =
  '<svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M20 6 9 17l-5-5"/></svg>';

export class RoleMenu {
  constructor(container) {
    this.container = container; // the dialog: positioned, and not clipped by the list's scrolling
    this.menu = null;
  }

  get isOpen() {
    return this.menu !== null;
  }

  /**
   * @param {HTMLElement} anchor  the role button
   * @param {{role: string, label: string, onRole: (role: string) => void,
   *   remove?: {label: string, run: () => void}}} options
   */
  open(anchor, { role, label, onRole, remove }) {
    this.close(false);
    const menu = document.createElement("div");
    menu.className = "share-menu";
    menu.setAttribute("role", "menu");
    menu.setAttribute("aria-label", label);
    const items = [];
    const add = (item, run) => {
      item.tabIndex = -1;
      item.addEventListener("click", () => {
        this.close(true);
        run();
      });
      menu.append(item);
      items.push(item);
    };
    for (const option of ROLES) {
      const item = document.createElement("button");
      item.type = "button";
      item.className = "share-menu-item";
      item.setAttribute("role", "menuitemradio");
      item.setAttribute("aria-checked", String(option.value === role));
      item.dataset.role = option.value;
      item.innerHTML = `<span class="share-menu-check">${option.value === role ? check : ""}</span><span class="share-menu-text"><span class="share-menu-label"></span><span class="share-menu-hint"></span></span>`;
      item.querySelector(".share-menu-label").textContent = option.label;
      item.querySelector(".share-menu-hint").textContent = option.hint;
      add(item, () => onRole(option.value));
    }
    if (remove) {
      const separator = document.createElement("div");
      separator.className = "share-menu-separator";
      separator.setAttribute("role", "separator");
      menu.append(separator);
      const item = document.createElement("button");
      item.type = "button";
      item.className = "share-menu-item is-danger";
      item.setAttribute("role", "menuitem");
      item.innerHTML = '<span class="share-menu-check"></span><span class="share-menu-label"></span>';
      item.querySelector(".share-menu-label").textContent = remove.label;
      add(item, remove.run);
    }

    menu.addEventListener("keydown", (event) => {
      const index = items.indexOf(document.activeElement);
      const focusAt = (i) => items[(i + items.length) % items.length].focus();
      if (event.key === "ArrowDown") focusAt(index + 1);
      else if (event.key === "ArrowUp") focusAt(index - 1);
      else if (event.key === "Home") focusAt(0);
      else if (event.key === "End") focusAt(items.length - 1);
      else if (event.key === "Escape") this.close(true);
      else if (event.key === "Tab") {
        this.close(false);
        return;
      } else return;
      event.preventDefault();
      event.stopPropagation();
    });

    this.container.append(menu);
    this.menu = menu;
    this.anchor = anchor;
    anchor.setAttribute("aria-expanded", "true");
    this._place();
    this._onPointer = (event) => {
      if (!menu.contains(event.target) && !anchor.contains(event.target)) this.close(false);
    };
    this._onScroll = (event) => {
      if (!menu.contains(event.target)) this.close(false);
    };
    document.addEventListener("pointerdown", this._onPointer, true);
    window.addEventListener("scroll", this._onScroll, true);
    window.addEventListener("resize", this._onScroll);
    (items.find((item) => item.getAttribute("aria-checked") === "true") || items[0]).focus();
  }

  _place() {
    const box = this.container.getBoundingClientRect();
    const at = this.anchor.getBoundingClientRect();
    const menu = this.menu;
    const width = menu.offsetWidth;
    const height = menu.offsetHeight;
    let left = at.right - width - box.left;
    left = Math.max(8, Math.min(left, box.width - width - 8));
    // Below the button when it fits in the window, else above it.
    const below = at.bottom + 4 + height <= window.innerHeight - 8 || at.top - 4 - height < 8;
    const top = below ? at.bottom + 4 - box.top : at.top - 4 - height - box.top;
    menu.style.left = `${left}px`;
    menu.style.top = `${top}px`;
  }

  close(returnFocus) {
    if (!this.menu) return;
    this.menu.remove();
    this.menu = null;
    document.removeEventListener("pointerdown", this._onPointer, true);
    window.removeEventListener("scroll", this._onScroll, true);
    window.removeEventListener("resize", this._onScroll);
    if (this.anchor) {
      this.anchor.setAttribute("aria-expanded", "false");
      if (returnFocus && this.anchor.isConnected) this.anchor.focus();
    }
  }
}
