/* Building the page's nodes. Every value from the API goes in as text (textContent or a text
 * node), never as HTML.
 */

export const $ = (id) => document.getElementById(id);

/** h("tag", {class, text, dataset, ...attributes}, ...children); null, undefined and false are skipped. */
export function h(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A copy of the template's <template id="icon-NAME"> SVG. */
export function icon(name) {
  return $("icon-" + name).content.firstElementChild.cloneNode(true);
}

export function spinner() {
  return h("span", { class: "spinner", "aria-hidden": "true" });
}
