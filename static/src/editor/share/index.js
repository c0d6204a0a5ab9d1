// The editor's "Share" button (in the page header's #page-actions slot) and its dialog.
// Everyone who can open the page sees who has access; owners (data-can-manage="true" on
// the editor's mount element) also add people, change roles and remove them.
import { ShareDialog, shareIcons } from "./dialog.js";

/**
 * @param {HTMLElement} mount  the editor's root, with data-page-id, data-user-id, data-can-manage
 * @param {{ getTitle?: () => string }} options  the page's current title (it changes live)
 */
export function mountShare(mount, { getTitle } = {}) {
  const slot = document.getElementById("page-actions");
  if (!slot || !mount.dataset.pageId) return null;
  const canManage = mount.dataset.canManage === "true";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "page-action share-button";
  button.setAttribute("aria-haspopup", "dialog");
  button.dataset.tooltip = canManage ? "Share this page and manage who has access" : "See who has access";
  button.innerHTML = `${shareIcons.share}<span>Share</span>`;
  slot.append(button);

  let dialog = null;
  button.addEventListener("click", () => {
    dialog ||= new ShareDialog({
      pageId: mount.dataset.pageId,
      selfId: mount.dataset.userId,
      canManage,
      pageUrl: window.location.pathname,
      getTitle: () => (getTitle ? getTitle() : mount.dataset.pageTitle || "").trim() || "Untitled",
    });
    dialog.open(button);
  });
  return { button, open: () => button.click() };
}
