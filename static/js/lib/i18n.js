/* Words in the page's language, from Django's JavaScript catalogue (/jsi18n/).
 *
 * The catalogue is a classic script loaded before the modules: it defines the globals
 * `gettext`, `ngettext` and `interpolate`. Without it (a unit test under node, a page
 * that does not load it) the English text is used as it is.
 */
const root = typeof window !== "undefined" ? window : globalThis;

export function gettext(text) {
  return typeof root.gettext === "function" ? root.gettext(text) : text;
}
export function ngettext(one, many, n) {
  return typeof root.ngettext === "function" ? root.ngettext(one, many, n) : n === 1 ? one : many;
}
// "%(name)s" placeholders filled from `values`.
export function fmt(template, values) {
  return template.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
}
export function interpolate(template, values, named) {
  return typeof root.interpolate === "function" ? root.interpolate(template, values, named) : fmt(template, values);
}
