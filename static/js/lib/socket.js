/* The desk's WebSocket (/ws/desk/, docs/websocket-protocol.md), shared by the desk and the
 * supervisor view: connect, reconnect with a doubling delay (1 s up to 10 s), an optional
 * heartbeat, a request id on every command. What to do on (re)connect is the caller's.
 */
import { gettext } from "./i18n.js";

// The waits between attempts: 1 s, 2 s, 4 s, 8 s, then 10 s; back to 1 s once connected.
export function createBackoff(first = 1000, max = 10000) {
  let delay = first;
  return {
    next() { const wait = delay; delay = Math.min(delay * 2, max); return wait; },
    reset() { delay = first; },
  };
}

// A closing code that a new attempt cannot fix: signed out (4401) or not allowed (4403).
export function isFinal(code) { return code === 4401 || code === 4403; }

/* options: path ("/ws/desk/"), onEvent(event), onOpen(), onState("connecting"|"connected"|"reconnecting"),
 * heartbeat (ms between pings, 0 for none), reloadOnFinal (reload the page on 4401/4403: the
 * server then answers with the login page or the refusal), env (stand-ins for unit tests). */
export function openSocket(options) {
  const env = Object.assign({
    WebSocket: globalThis.WebSocket,
    location: globalThis.location,
    setTimeout: globalThis.setTimeout.bind(globalThis),
    setInterval: globalThis.setInterval.bind(globalThis),
    clearInterval: globalThis.clearInterval.bind(globalThis),
  }, options.env || {});
  const onState = options.onState || function () {};
  const backoff = createBackoff();
  let ws = null;
  let heartbeat = null;
  let seq = 0;

  function connect() {
    const scheme = env.location.protocol === "https:" ? "wss://" : "ws://";
    ws = new env.WebSocket(scheme + env.location.host + options.path);
    onState("connecting");
    ws.onopen = function () {
      backoff.reset();
      onState("connected");
      if (options.onOpen) options.onOpen();
      env.clearInterval(heartbeat);
      if (options.heartbeat) heartbeat = env.setInterval(function () { send({ type: "ping" }); }, options.heartbeat);
    };
    ws.onmessage = function (e) { options.onEvent(JSON.parse(e.data)); };
    ws.onclose = function (e) {
      env.clearInterval(heartbeat);
      onState("reconnecting");
      if (options.reloadOnFinal && isFinal(e.code)) { env.location.reload(); return; }
      env.setTimeout(connect, backoff.next());
    };
  }

  // Sent only on an open socket: false tells the caller to wait (its buttons are disabled meanwhile).
  function send(command) {
    if (!ws || ws.readyState !== env.WebSocket.OPEN) return false;
    command.request_id = ++seq;
    ws.send(JSON.stringify(command));
    return true;
  }

  return { connect, send, drop() { if (ws) ws.close(); } };
}

// The connection's state, in words, for the page's "Live" badge.
export function connectionText(name) {
  const words = { connected: gettext("Live"), reconnecting: gettext("Reconnecting…"), connecting: gettext("Connecting…") };
  return words[name] || name;
}
