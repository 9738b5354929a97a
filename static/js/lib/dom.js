/* The few DOM helpers every page script uses: find by id, make an element with attributes and text. */

export function $(id) { return document.getElementById(id); }

// Text goes in as textContent, never as markup.
export function el(tag, attrs, text) {
  const node = document.createElement(tag);
  if (attrs) Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

const SVG = "http://www.w3.org/2000/svg";
export function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
  if (text !== undefined) node.textContent = text;
  return node;
}

// Django's CSRF cookie, for the page's own POSTs.
export function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

// A styled <dialog> opened or closed, with a fallback for a browser without showModal.
export function openDialog(dialog) {
  if (typeof dialog.showModal === "function") dialog.showModal(); else dialog.setAttribute("open", "");
}
export function closeDialog(dialog) {
  if (typeof dialog.close === "function") dialog.close(); else dialog.removeAttribute("open");
}
