// node --test tests/js/ — the shared socket's reconnect (static/js/lib/socket.js), with a stand-in WebSocket and clock.
import test from "node:test";
import assert from "node:assert";
import { createBackoff, isFinal, openSocket } from "../../static/js/lib/socket.js";

test("the wait doubles from 1 s up to 10 s, and starts again at 1 s once connected", () => {
  const b = createBackoff();
  assert.deepStrictEqual([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [1000, 2000, 4000, 8000, 10000, 10000]);
  b.reset();
  assert.strictEqual(b.next(), 1000);
});

test("signed out or refused is final; any other close is retried", () => {
  assert.strictEqual(isFinal(4401), true);
  assert.strictEqual(isFinal(4403), true);
  assert.strictEqual(isFinal(1006), false);
  assert.strictEqual(isFinal(1000), false);
});

// A page's stand-ins: sockets made, timers asked for, reloads.
function world() {
  const w = { sockets: [], timeouts: [], intervals: [], reloads: 0, states: [], events: [] };
  class FakeSocket {
    static OPEN = 1;
    constructor(url) { this.url = url; this.readyState = 0; this.sent = []; w.sockets.push(this); }
    send(text) { this.sent.push(JSON.parse(text)); }
    close() { this.readyState = 3; this.onclose({ code: 1000 }); }
    open() { this.readyState = 1; this.onopen(); }
    drop(code) { this.readyState = 3; this.onclose({ code }); }
  }
  w.env = {
    WebSocket: FakeSocket,
    location: { protocol: "https:", host: "occ.example", reload() { w.reloads += 1; } },
    setTimeout(fn, ms) { w.timeouts.push({ fn, ms }); },
    setInterval(fn, ms) { w.intervals.push({ fn, ms }); return w.intervals.length; },
    clearInterval() {},
  };
  return w;
}

test("a dropped socket reconnects after 1, 2, 4 s; connecting again resets the wait", () => {
  const w = world();
  let opened = 0;
  const s = openSocket({ path: "/ws/desk/", env: w.env, onOpen: () => { opened += 1; }, onEvent: (e) => w.events.push(e), onState: (n) => w.states.push(n) });
  s.connect();
  assert.strictEqual(w.sockets[0].url, "wss://occ.example/ws/desk/");
  for (let i = 0; i < 3; i++) {
    w.sockets.at(-1).drop(1006);
    w.timeouts.at(-1).fn(); // the wait is over: a new attempt
  }
  assert.deepStrictEqual(w.timeouts.map((t) => t.ms), [1000, 2000, 4000]);
  assert.strictEqual(w.sockets.length, 4);
  w.sockets.at(-1).open();
  assert.strictEqual(opened, 1);
  w.sockets.at(-1).drop(1006);
  assert.strictEqual(w.timeouts.at(-1).ms, 1000);
  assert.deepStrictEqual(w.states.slice(0, 3), ["connecting", "reconnecting", "connecting"]);
  assert.ok(w.states.includes("connected"));
});

test("a command goes only on an open socket, each with its own request id", () => {
  const w = world();
  const s = openSocket({ path: "/ws/desk/", env: w.env, onEvent: () => {} });
  assert.strictEqual(s.send({ type: "sync" }), false);
  s.connect();
  assert.strictEqual(s.send({ type: "sync" }), false);
  w.sockets[0].open();
  assert.strictEqual(s.send({ type: "sync" }), true);
  assert.strictEqual(s.send({ type: "read" }), true);
  assert.deepStrictEqual(w.sockets[0].sent.map((c) => c.request_id), [1, 2]);
});

test("events arrive parsed; the heartbeat pings at the interval asked for", () => {
  const w = world();
  const s = openSocket({ path: "/ws/desk/", env: w.env, heartbeat: 25000, onEvent: (e) => w.events.push(e) });
  s.connect();
  w.sockets[0].open();
  w.sockets[0].onmessage({ data: '{"type":"hello"}' });
  assert.deepStrictEqual(w.events, [{ type: "hello" }]);
  assert.strictEqual(w.intervals[0].ms, 25000);
  w.intervals[0].fn();
  assert.strictEqual(w.sockets[0].sent[0].type, "ping");
});

test("signed out: the desk reloads (to the login page) instead of retrying; the supervisor view retries", () => {
  const w = world();
  const desk = openSocket({ path: "/ws/desk/", env: w.env, reloadOnFinal: true, onEvent: () => {} });
  desk.connect();
  w.sockets[0].drop(4401);
  assert.strictEqual(w.reloads, 1);
  assert.strictEqual(w.timeouts.length, 0);
  const board = openSocket({ path: "/ws/desk/", env: w.env, onEvent: () => {} });
  board.connect();
  w.sockets[1].drop(4401);
  assert.strictEqual(w.reloads, 1);
  assert.strictEqual(w.timeouts.length, 1);
});
