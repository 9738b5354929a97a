/* The supervisor view: queues, agents and open interactions, live; the last 24 hours as SVG charts.
 *
 * Every push to the supervisors' group is a hint that something changed:
 * the view then asks for a fresh snapshot (at most a few times a second),
 * so what it shows is always the database's state.
 */
import { $, el, svg } from "../lib/dom.js";
import { gettext } from "../lib/i18n.js";
import { clock, duration, stateName, presenceName } from "../lib/format.js";
import { openSocket, connectionText } from "../lib/socket.js";
import { describe as describeReason } from "../lib/reasons.js";

var HOUR = clock({ hour: "2-digit", minute: "2-digit" });
var refreshTimer = null;
var data = null;

var socket = openSocket({
  path: "/ws/desk/",
  // Pings keep a watched conversation marked as watched (interactions/actions/watching.py).
  heartbeat: 25000,
  onState: function (name) { $("conn").dataset.state = name; $("conn").textContent = connectionText(name); },
  onOpen: function () { request(); },
  onEvent: function (event) { handle(event); },
});
function send(command) { return socket.send(command); }
function request() { send({ type: "supervisor" }); }
function soon() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(function () { refreshTimer = null; request(); }, 300);
}

// The page's other modules (supervisor/watch.js) see every event, after this one handled it.
var listeners = [];
export const supervisor = { send: send, on: function (fn) { listeners.push(fn); } };
function handle(event) {
  handleOwn(event);
  listeners.forEach(function (fn) { fn(event); });
}
function handleOwn(event) {
  if (event.type === "supervisor") { data = event; render(); return; }
  if (event.type === "error") { notice(event.message); return; }
  if (event.type === "transfer.ok") { soon(); return; }
  if (/^(interaction|message|agent)\./.test(event.type)) soon();
}
function notice(text) {
  var n = $("notice");
  n.textContent = text;
  n.hidden = false;
  setTimeout(function () { n.hidden = true; }, 6000);
}

function render() {
  var tbody = document.querySelector("#queues tbody");
  tbody.textContent = "";
  data.services.forEach(function (s) {
    var tr = el("tr", { "data-service": s.id });
    tr.appendChild(el("td", null, s.name));
    tr.appendChild(el("td", { class: "queue-length" }, String(s.queue_length)));
    tr.appendChild(el("td", null, s.queue_length ? duration(s.longest_wait_seconds) : "—"));
    tbody.appendChild(tr);
  });
  tbody = document.querySelector("#agents tbody");
  tbody.textContent = "";
  data.agents.forEach(function (a) {
    var tr = el("tr", { "data-agent": a.id });
    tr.appendChild(el("td", null, a.name));
    var p = el("td");
    p.appendChild(el("span", { class: "presence-dot " + a.presence }));
    p.appendChild(document.createTextNode(presenceName(a.presence)));
    tr.appendChild(p);
    var load = el("td");
    var bar = el("span", { class: "loadbar" + (a.open_interactions >= a.max_interactions ? " full" : "") });
    var fill = el("span");
    fill.style.width = Math.min(100, (100 * a.open_interactions) / a.max_interactions) + "%";
    bar.appendChild(fill);
    load.appendChild(bar);
    load.appendChild(document.createTextNode(" " + a.open_interactions + " / " + a.max_interactions));
    tr.appendChild(load);
    tbody.appendChild(tr);
  });
  tbody = document.querySelector("#open tbody");
  tbody.textContent = "";
  data.interactions.forEach(function (i) {
    var tr = el("tr", { "data-interaction": i.id });
    tr.appendChild(el("td", null, String(i.id)));
    tr.appendChild(el("td", null, (i.contact.name ? i.contact.name + " " : "") + i.contact.address));
    tr.appendChild(el("td", null, i.service.name));
    tr.appendChild(el("td", { class: "state", "data-state": i.state }, stateName(i.state) + (i.state === "queued" ? " · " + duration(i.waiting_seconds) : "")));
    tr.appendChild(el("td", null, i.agent_name || gettext("nobody (queued)")));
    tr.appendChild(el("td", { class: "reason" }, describeReason(i.assignment_reason || "")));
    var cell = el("td");
    var select = el("select", { "aria-label": gettext("Reassign") });
    // A first line that says what the list is for, so it never looks blank.
    select.appendChild(el("option", { value: "" }, gettext("Move to…")));
    var choices = 0;
    if (i.state === "assigned") { select.appendChild(el("option", { value: "queue" }, gettext("Back to the queue"))); choices += 1; }
    data.agents.forEach(function (a) {
      if (a.id === i.agent_id || a.service_ids.indexOf(i.service.id) < 0) return;
      var option = el("option", { value: a.id }, a.name + " (" + a.open_interactions + "/" + a.max_interactions + ", " + presenceName(a.presence) + ")");
      if (a.presence !== "online" || a.open_interactions >= a.max_interactions) option.disabled = true;
      else choices += 1;
      select.appendChild(option);
    });
    var button = el("button", { type: "button" }, gettext("Reassign"));
    if (!choices) {
      select.options[0].textContent = gettext("No agent available");
      select.disabled = true;
      button.disabled = true;
    }
    button.addEventListener("click", function () {
      if (select.value) send({ type: "transfer", interaction_id: i.id, to_agent_id: select.value });
    });
    cell.appendChild(select);
    cell.appendChild(button);
    tr.appendChild(cell);
    tbody.appendChild(tr);
  });
  var c = data.charts;
  barChart($("chart-interactions"), gettext("Interactions per hour"), c.hours, c.interactions, "bar", String);
  barChart($("chart-reply"), gettext("Median time to first reply (s)"), c.hours, c.median_first_reply_seconds, "bar alt", duration);
  barChart($("chart-wait"), gettext("Longest wait (s)"), c.hours, c.longest_wait_seconds, "bar warn", duration);
}

// One bar per hour, drawn as inline SVG; the hover title gives the exact value.
function barChart(figure, title, hours, values, cls, label) {
  figure.textContent = "";
  figure.appendChild(el("figcaption", null, title));
  var width = 480, height = 160, left = 36, bottom = 18, top = 8;
  var max = Math.max.apply(null, values.map(function (v) { return v || 0; }).concat([1]));
  var root = svg("svg", { viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": title });
  var slot = (width - left) / values.length;
  root.appendChild(svg("line", { x1: left, y1: height - bottom, x2: width, y2: height - bottom, stroke: "#c4cad4" }));
  root.appendChild(svg("text", { x: 2, y: top + 8 }, label(max)));
  root.appendChild(svg("text", { x: 2, y: height - bottom }, "0"));
  values.forEach(function (v, index) {
    var h = v ? ((height - bottom - top) * v) / max : 0;
    var rect = svg("rect", { class: cls, x: left + index * slot + 1, y: height - bottom - h, width: Math.max(1, slot - 2), height: h, "data-value": v === null ? "" : v });
    var hour = new Date(hours[index]);
    rect.appendChild(svg("title", {}, HOUR.format(hour) + " — " + (v === null ? "—" : label(v))));
    root.appendChild(rect);
    if (index % 3 === 0) root.appendChild(svg("text", { x: left + index * slot, y: height - 4 }, hour.getHours() + "h"));
  });
  figure.appendChild(root);
}

// Called once every module of the page has plugged in (static/js/supervisor.js).
export function start() {
  setInterval(request, 30000);
  socket.connect();
}
