/* Behaviour shared by the page's <dialog>s: [data-close] buttons and a click on the backdrop
 * close them, and closing gives focus back to dialog.returnFocusTo (what opened it).
 */

export function wireDialogs() {
  for (const dialog of document.querySelectorAll("dialog")) {
    dialog.addEventListener("click", (event) => {
      if (event.target.closest("[data-close]") || event.target === dialog) dialog.close();
    });
    dialog.addEventListener("close", () => {
      if (dialog.returnFocusTo && document.contains(dialog.returnFocusTo)) dialog.returnFocusTo.focus();
    });
  }
}
