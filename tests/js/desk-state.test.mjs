// node --test tests/js/ — the desk's pure state (static/js/desk/state.js): unread, versions, ordering.
import test from "node:test";
import assert from "node:assert";
import * as S from "../../static/js/desk/state.js";

const inbound = (id) => ({ id, direction: "in" });

// --- unread ---------------------------------------------------------------------------
test("one message counts one, two count two", () => {
  const s = S.createUnread();
  S.unreadOnMessage(s, 7, inbound(1), false);
  assert.strictEqual(S.unreadCount(s, 7), 1);
  S.unreadOnMessage(s, 7, inbound(2), false);
  assert.strictEqual(S.unreadCount(s, 7), 2);
  assert.strictEqual(S.unreadTotal(s), 2);
});

test("the same message pushed twice counts once, and tells the agent once", () => {
  const s = S.createUnread();
  assert.strictEqual(S.unreadOnMessage(s, 7, inbound(1), false), true);
  assert.strictEqual(S.unreadOnMessage(s, 7, inbound(1), false), false);
  assert.strictEqual(S.unreadCount(s, 7), 1);
});

test("replies and messages in view do not count", () => {
  const s = S.createUnread();
  S.unreadOnMessage(s, 7, { id: 3, direction: "out" }, false);
  S.unreadOnMessage(s, 7, inbound(4), true);
  assert.strictEqual(S.unreadTotal(s), 0);
  // …and a message seen in view is not counted later when pushed again out of view.
  S.unreadOnMessage(s, 7, inbound(4), false);
  assert.strictEqual(S.unreadTotal(s), 0);
});

test("a snapshot replaces the counts; a read push sets what is left", () => {
  const s = S.createUnread();
  S.unreadOnMessage(s, 1, inbound(1), false);
  S.unreadFromSnapshot(s, [{ id: 2, unread: 3 }, { id: 5, unread: 0 }]);
  assert.strictEqual(S.unreadCount(s, 1), 0);
  assert.strictEqual(S.unreadCount(s, 2), 3);
  S.unreadOnRead(s, { interaction_id: 2, unread: 1 });
  assert.strictEqual(S.unreadCount(s, 2), 1);
  S.unreadOnRead(s, { interaction_id: 2, unread: 0 });
  assert.strictEqual(S.unreadTotal(s), 0);
});

test("reading a conversation clears its count only", () => {
  const s = S.createUnread();
  S.unreadOnMessage(s, 1, inbound(1), false);
  S.unreadOnMessage(s, 2, inbound(2), false);
  S.unreadClear(s, 1);
  assert.strictEqual(S.unreadCount(s, 1), 0);
  assert.strictEqual(S.unreadTotal(s), 1);
});

test("title and badge text", () => {
  assert.strictEqual(S.titleWith(0, "Desk · OCC"), "Desk · OCC");
  assert.strictEqual(S.titleWith(3, "Desk · OCC"), "(3) Desk · OCC");
  assert.strictEqual(S.badgeText(99), "99");
  assert.strictEqual(S.badgeText(120), "99+");
});

test("a message the snapshot already counted is not counted again", () => {
  const s = S.createUnread();
  S.unreadFromSnapshot(s, [{ id: 2, unread: 1, last_message: { id: 9, direction: "in" } }]);
  S.unreadOnMessage(s, 2, inbound(9), false);
  assert.strictEqual(S.unreadCount(s, 2), 1);
  S.unreadOnMessage(s, 2, inbound(10), false);
  assert.strictEqual(S.unreadCount(s, 2), 2);
});

// --- versions ---------------------------------------------------------------------------
test("a push older than the interaction held is stale; the same or newer is not", () => {
  const known = new Map([[4, { id: 4, version: 5 }]]);
  const gone = new Map();
  assert.strictEqual(S.isStale(known, gone, { id: 4, version: 4 }), true);
  assert.strictEqual(S.isStale(known, gone, { id: 4, version: 5 }), false);
  assert.strictEqual(S.isStale(known, gone, { id: 4, version: 6 }), false);
  assert.strictEqual(S.isStale(known, gone, { id: 8, version: 1 }), false);
});

test("an interaction that left the desk comes back only with a newer version", () => {
  const known = new Map();
  const gone = new Map([[4, 7]]);
  assert.strictEqual(S.isStale(known, gone, { id: 4, version: 6 }), true);
  assert.strictEqual(S.isStale(known, gone, { id: 4, version: 7 }), true);
  assert.strictEqual(S.isStale(known, gone, { id: 4, version: 8 }), false);
});

test("a removal older than the interaction held is ignored", () => {
  const known = new Map([[4, { id: 4, version: 5 }]]);
  assert.strictEqual(S.removalIsStale(known, { id: 4, version: 4 }), true);
  assert.strictEqual(S.removalIsStale(known, { id: 4, version: 5 }), false);
  assert.strictEqual(S.removalIsStale(new Map(), { id: 4, version: 1 }), false);
});

test("a labels change applies only when not older than the interaction", () => {
  assert.strictEqual(S.acceptsVersion({ version: 3 }, 2), false);
  assert.strictEqual(S.acceptsVersion({ version: 3 }, 3), true);
  assert.strictEqual(S.acceptsVersion(undefined, 1), true);
});

test("the 24-hour window closes a day after the customer's last message", () => {
  assert.strictEqual(S.windowFrom("2026-12-01T08:00:00.000Z"), "2026-12-02T08:00:00.000Z");
  assert.strictEqual(S.windowFrom(null), null);
});

// --- ordering ------------------------------------------------------------------------------
test("the newest message id, of all or of the inbound ones", () => {
  const messages = new Map([[3, { direction: "in" }], [9, { direction: "out" }], [5, { direction: "in" }]]);
  assert.strictEqual(S.newestId(messages), 9);
  assert.strictEqual(S.newestId(messages, "in"), 5);
  assert.strictEqual(S.newestId(new Map()), 0);
});

test("a note goes before the first newer item, at the end when none is newer or it has no time", () => {
  assert.strictEqual(S.placeIndex([10, 20, 30], 25), 2);
  assert.strictEqual(S.placeIndex([10, 20, 30], 20), 2);
  assert.strictEqual(S.placeIndex([10, 20, 30], 5), 0);
  assert.strictEqual(S.placeIndex([10, 20, 30], 40), 3);
  assert.strictEqual(S.placeIndex([10, 20, 30], null), 3);
});

test("moving through the list wraps around both ways", () => {
  assert.strictEqual(S.stepIndex(0, 1, 3), 1);
  assert.strictEqual(S.stepIndex(2, 1, 3), 0);
  assert.strictEqual(S.stepIndex(0, -1, 3), 2);
  assert.strictEqual(S.stepIndex(-1, 1, 3), 0);
  assert.strictEqual(S.stepIndex(0, 1, 0), -1);
});
