/** The page's settings and translated texts, embedded by admin/pages.py in #shipsync-config. */
export const config = JSON.parse(document.getElementById("shipsync-config").textContent);
