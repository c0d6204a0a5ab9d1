// A small dropdown menu (WAI-ARIA menu button pattern), positioned fixed so that the
// toolbar's horizontal scrolling cannot clip it.
let openMenu = null;

export function closeMenu() {
  if (openMenu) openMenu.close(false);
}

/**
 * @param {HTMLElement} anchor  the button that opened it (gets aria-expanded)
 * @param {Array<{label: string, icon?: string, run: () => void, danger?: boolean,
 *   separatorBefore?: boolean, disabled?: boolean}>} items
 */
export function showMenu(anchor, items, { label = "Menu" } = {}) {
  closeMenu();
  const menu = document.createElement("div");
  menu.className = "menu";
  menu.setAttribute("role", "menu");
  menu.setAttribute("aria-label", label);
  const buttons = [];
  for (const item of items) {
    if (item.separatorBefore) {
      const separator = document.createElement("div");
      separator.className = "menu-separator";
      separator.setAttribute("role", "separator");
      menu.append(separator);
    }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "menu-item";
    if (item.danger) button.classList.add("is-danger");
    button.setAttribute("role", "menuitem");
    button.tabIndex = -1;
    button.innerHTML = `${item.icon || ""}<span></span>`;
    button.querySelector("span").textContent = item.label;
    if (item.disabled) button.setAttribute("aria-disabled", "true");
    button.addEventListener("click", () => {
      if (item.disabled) return;
      close(false);
      item.run();
    });
    menu.append(button);
    buttons.push(button);
  }
  document.body.append(menu);
  const place = () => {
    const rect = anchor.getBoundingClientRect();
    const left = Math.max(8, Math.min(rect.left, window.innerWidth - menu.offsetWidth - 8));
    menu.style.left = `${left}px`;
    menu.style.top = `${rect.bottom + 6}px`;
  };
  place();
  anchor.setAttribute("aria-expanded", "true");

  const focusAt = (index) => {
    const target = buttons[(index + buttons.length) % buttons.length];
    if (target) target.focus();
  };
  const onKey = (event) => {
    const index = buttons.indexOf(document.activeElement);
    if (event.key === "ArrowDown") focusAt(index + 1);
    else if (event.key === "ArrowUp") focusAt(index - 1);
    else if (event.key === "Home") focusAt(0);
    else if (event.key === "End") focusAt(buttons.length - 1);
    else if (event.key === "Escape") close(true);
    else if (event.key === "Tab") close(false);
    else return;
    if (event.key !== "Tab") event.preventDefault();
  };
  const onPointer = (event) => {
    if (!menu.contains(event.target) && !anchor.contains(event.target)) close(false);
  };
  function close(returnFocus) {
    if (openMenu !== handle) return;
    openMenu = null;
    menu.remove();
    anchor.setAttribute("aria-expanded", "false");
    document.removeEventListener("pointerdown", onPointer, true);
    window.removeEventListener("scroll", onScroll, true);
    window.removeEventListener("resize", onScroll);
    if (returnFocus) anchor.focus();
  }
  // Follow the button when the page or the toolbar scrolls (focusing it may scroll it).
  const onScroll = (event) => {
    if (!menu.contains(event.target)) place();
  };
  menu.addEventListener("keydown", onKey);
  document.addEventListener("pointerdown", onPointer, true);
  window.addEventListener("scroll", onScroll, true);
  window.addEventListener("resize", onScroll);
  const handle = { close, anchor };
  openMenu = handle;
  focusAt(0);
  return handle;
}

export function isMenuOpenFor(anchor) {
  return openMenu !== null && openMenu.anchor === anchor;
}
