// One tooltip for every element with data-tooltip, positioned fixed so that scrolling
// containers (the toolbar scrolls sideways on phones) cannot clip it. Shown on hover after
// a short delay and at once on keyboard focus; the elements keep their aria-label.
export function installTooltips(root = document) {
  const tip = document.createElement("div");
  tip.className = "tooltip";
  tip.setAttribute("aria-hidden", "true");
  tip.hidden = true;
  document.body.append(tip);
  let timer = null;
  let current = null;

  const show = (target) => {
    const text = target.dataset.tooltip;
    if (!text || !target.isConnected) return;
    current = target;
    tip.textContent = text;
    tip.hidden = false;
    const rect = target.getBoundingClientRect();
    const width = tip.offsetWidth;
    const left = Math.max(6, Math.min(rect.left + rect.width / 2 - width / 2, window.innerWidth - width - 6));
    let top = rect.bottom + 8;
    if (top + tip.offsetHeight > window.innerHeight - 6) top = rect.top - tip.offsetHeight - 8;
    tip.style.left = `${left}px`;
    tip.style.top = `${top}px`;
  };
  const hide = () => {
    clearTimeout(timer);
    current = null;
    tip.hidden = true;
  };

  root.addEventListener("pointerover", (event) => {
    if (event.pointerType === "touch") return;
    const target = event.target.closest && event.target.closest("[data-tooltip]");
    if (!target || target === current) return;
    clearTimeout(timer);
    timer = setTimeout(() => show(target), current ? 0 : 450);
  });
  root.addEventListener("pointerout", (event) => {
    const target = event.target.closest && event.target.closest("[data-tooltip]");
    if (target && !target.contains(event.relatedTarget)) hide();
  });
  root.addEventListener("focusin", (event) => {
    const target = event.target.closest && event.target.closest("[data-tooltip]");
    if (target && target.matches(":focus-visible")) show(target);
  });
  root.addEventListener("focusout", hide);
  root.addEventListener("pointerdown", hide);
  window.addEventListener("scroll", hide, { passive: true, capture: true });
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape") hide();
  });
}
