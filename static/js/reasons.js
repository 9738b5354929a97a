/* Routing reasons in the page's language: the table of interactions/reasons.py, given by the page
 * (<script id="reason-patterns">), applied to each "; "-separated part of a stored reason. */
(function (root) {
  "use strict";

  var table = null;
  function compile(rows) {
    return rows.map(function (row) { return { re: new RegExp("^(?:" + row.pattern + ")$"), text: row.text }; });
  }
  function patterns() {
    if (table) return table;
    var node = root.document && root.document.getElementById("reason-patterns");
    table = compile(node ? JSON.parse(node.textContent) : []);
    return table;
  }

  function describe(reason, rows) {
    var list = rows || patterns();
    return String(reason || "").split("; ").map(function (part) {
      for (var i = 0; i < list.length; i++) {
        var match = list[i].re.exec(part);
        if (match) {
          var groups = match.groups || {};
          return list[i].text.replace(/%\((\w+)\)s/g, function (_m, key) { return groups[key]; });
        }
      }
      return part;
    }).join("; ");
  }

  var api = { describe: describe, compile: compile };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  root.OCCReasons = api;
})(typeof window !== "undefined" ? window : globalThis);
