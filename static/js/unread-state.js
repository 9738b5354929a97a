/* Unread counts of the desk: pure state, no DOM (unit-tested with `node --test tests/js/`).
 *
 * The server keeps a read marker per agent and conversation (docs/websocket-protocol.md):
 * a snapshot carries each conversation's `unread`, an `interaction.read` push the count
 * left after a tab read it. In between, a customer's message counts one, once.
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) module.exports = factory();
  else root.OCCUnread = factory();
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  // counts: id -> unread; upto: id -> newest message id already accounted for.
  function create() { return { counts: new Map(), upto: new Map() }; }

  // A snapshot is the truth: every count replaced, conversations gone forgotten. Its
  // counts include every message up to each conversation's newest: a push of one of
  // those arriving after the snapshot is not counted again.
  function fromSnapshot(state, interactions) {
    state.counts = new Map();
    state.upto = new Map();
    (interactions || []).forEach(function (item) {
      if (item.unread) state.counts.set(item.id, item.unread);
      if (item.last_message) state.upto.set(item.id, item.last_message.id);
    });
    return state;
  }

  // A message pushed: an inbound one not in view counts once (a repeat, or one the
  // last snapshot already counted, does not).
  function onMessage(state, interactionId, message, inView) {
    if (!message || message.direction !== "in") return false;
    if (message.id <= (state.upto.get(interactionId) || 0)) return false;
    state.upto.set(interactionId, message.id);
    if (inView) return false;
    state.counts.set(interactionId, (state.counts.get(interactionId) || 0) + 1);
    return true;
  }

  // What the server says is left unread (after this tab or another read it).
  function onRead(state, event) {
    if (event.unread) state.counts.set(event.interaction_id, event.unread);
    else state.counts.delete(event.interaction_id);
  }

  function clear(state, interactionId) { state.counts.delete(interactionId); }
  function forget(state, interactionId) { state.counts.delete(interactionId); }
  function count(state, interactionId) { return state.counts.get(interactionId) || 0; }
  function total(state) {
    var sum = 0;
    state.counts.forEach(function (n) { sum += n; });
    return sum;
  }
  function title(totalCount, base) { return (totalCount ? "(" + totalCount + ") " : "") + base; }
  // What the favicon's badge says: up to 99, then "99+".
  function badgeText(totalCount) { return totalCount > 99 ? "99+" : String(totalCount); }

  return {
    create: create, fromSnapshot: fromSnapshot, onMessage: onMessage, onRead: onRead,
    clear: clear, forget: forget, count: count, total: total, title: title, badgeText: badgeText,
  };
});
