/* The desk's state logic: pure, no DOM (unit-tested with `node --test tests/js/`).
 *
 * Unread counts: the server keeps a read marker per agent and conversation
 * (docs/websocket-protocol.md): a snapshot carries each conversation's `unread`, an
 * `interaction.read` push the count left after a tab read it. In between, a customer's
 * message counts one, once.
 *
 * Versions: every interaction carries a version; a push older than what the desk holds,
 * or than the version at which the interaction left the desk, is ignored.
 *
 * Ordering: the list's conversations in the order the server gave them; notes among
 * messages by time; moving through the list wraps around.
 */

// --- unread ---------------------------------------------------------------------------
// counts: id -> unread; upto: id -> newest message id already accounted for.
export function createUnread() { return { counts: new Map(), upto: new Map() }; }

// A snapshot is the truth: every count replaced, conversations gone forgotten. Its
// counts include every message up to each conversation's newest: a push of one of
// those arriving after the snapshot is not counted again.
export function unreadFromSnapshot(state, interactions) {
  state.counts = new Map();
  state.upto = new Map();
  (interactions || []).forEach(function (item) {
    if (item.unread) state.counts.set(item.id, item.unread);
    if (item.last_message) state.upto.set(item.id, item.last_message.id);
  });
  return state;
}

// A message pushed: an inbound one not in view counts once (a repeat, or one the
// last snapshot already counted, does not). True when it counted (the agent is told).
export function unreadOnMessage(state, interactionId, message, inView) {
  if (!message || message.direction !== "in") return false;
  if (message.id <= (state.upto.get(interactionId) || 0)) return false;
  state.upto.set(interactionId, message.id);
  if (inView) return false;
  state.counts.set(interactionId, (state.counts.get(interactionId) || 0) + 1);
  return true;
}

// What the server says is left unread (after this tab or another read it).
export function unreadOnRead(state, event) {
  if (event.unread) state.counts.set(event.interaction_id, event.unread);
  else state.counts.delete(event.interaction_id);
}

export function unreadClear(state, interactionId) { state.counts.delete(interactionId); }
export function unreadCount(state, interactionId) { return state.counts.get(interactionId) || 0; }
export function unreadTotal(state) {
  let sum = 0;
  state.counts.forEach(function (n) { sum += n; });
  return sum;
}
// The tab's title: "(3) Desk · OCC".
export function titleWith(totalCount, base) { return (totalCount ? "(" + totalCount + ") " : "") + base; }
// What the favicon's badge says: up to 99, then "99+".
export function badgeText(totalCount) { return totalCount > 99 ? "99+" : String(totalCount); }

// --- versions ---------------------------------------------------------------------------
// `known`: id -> interaction held; `gone`: id -> version at which it left this desk.
export function isStale(known, gone, item) {
  const held = known.get(item.id);
  if (held && held.version > item.version) return true;
  const left = gone.get(item.id);
  return left !== undefined && left >= item.version;
}
// A removal older than what the desk holds (the interaction came back since) is ignored.
export function removalIsStale(known, item) {
  const held = known.get(item.id);
  return !!held && held.version > item.version;
}
// A change applied only when it is not older than the interaction held (labels and the like).
export function acceptsVersion(item, version) { return !item || item.version <= version; }

// --- WhatsApp's 24-hour window -----------------------------------------------------------
export function windowFrom(lastInbound) {
  if (!lastInbound) return null;
  return new Date(new Date(lastInbound).getTime() + 24 * 3600 * 1000).toISOString();
}

// --- ordering ------------------------------------------------------------------------------
// The newest message id of a conversation's Map (id -> message), optionally only the inbound ones.
export function newestId(messages, direction) {
  let newest = 0;
  messages.forEach(function (m, id) { if (id > newest && (!direction || m.direction === direction)) newest = id; });
  return newest;
}
// Where an item made at `at` goes among items made at `times` (ms, in page order): before the first newer one.
export function placeIndex(times, at) {
  const when = at === null || at === undefined ? Infinity : at;
  for (let i = 0; i < times.length; i++) if (times[i] > when) return i;
  return times.length;
}
// The next (step 1) or previous (step -1) of `length` items from `at` (-1: none selected), wrapping around.
export function stepIndex(at, step, length) {
  if (!length) return -1;
  return (at + step + length) % length;
}
