/* Routing reasons in the page's language: the table of interactions/reasons.py, given by the page
 * (<script id="reason-patterns">), applied to each "; "-separated part of a stored reason. */

let table = null;

export function compile(rows) {
  return rows.map(function (row) { return { re: new RegExp("^(?:" + row.pattern + ")$"), text: row.text }; });
}
function patterns() {
  if (table) return table;
  const node = typeof document !== "undefined" && document.getElementById("reason-patterns");
  table = compile(node ? JSON.parse(node.textContent) : []);
  return table;
}

export function describe(reason, rows) {
  const list = rows || patterns();
  return String(reason || "").split("; ").map(function (part) {
    for (let i = 0; i < list.length; i++) {
      const match = list[i].re.exec(part);
      if (match) {
        const groups = match.groups || {};
        return list[i].text.replace(/%\((\w+)\)s/g, function (_m, key) { return groups[key]; });
      }
    }
    return part;
  }).join("; ");
}
