// node --test tests/js/ — the desk's unread counting, without a browser.
const test = require("node:test");
const assert = require("node:assert");
const U = require("../../static/js/unread-state.js");

const inbound = (id) => ({ id, direction: "in" });

test("one message counts one, two count two", () => {
  const s = U.create();
  U.onMessage(s, 7, inbound(1), false);
  assert.strictEqual(U.count(s, 7), 1);
  U.onMessage(s, 7, inbound(2), false);
  assert.strictEqual(U.count(s, 7), 2);
  assert.strictEqual(U.total(s), 2);
});

test("the same message pushed twice counts once", () => {
  const s = U.create();
  U.onMessage(s, 7, inbound(1), false);
  U.onMessage(s, 7, inbound(1), false);
  assert.strictEqual(U.count(s, 7), 1);
});

test("replies and messages in view do not count", () => {
  const s = U.create();
  U.onMessage(s, 7, { id: 3, direction: "out" }, false);
  U.onMessage(s, 7, inbound(4), true);
  assert.strictEqual(U.total(s), 0);
});

test("a snapshot replaces the counts; a read push sets what is left", () => {
  const s = U.create();
  U.onMessage(s, 1, inbound(1), false);
  U.fromSnapshot(s, [{ id: 2, unread: 3 }, { id: 5, unread: 0 }]);
  assert.strictEqual(U.count(s, 1), 0);
  assert.strictEqual(U.count(s, 2), 3);
  U.onRead(s, { interaction_id: 2, unread: 1 });
  assert.strictEqual(U.count(s, 2), 1);
  U.onRead(s, { interaction_id: 2, unread: 0 });
  assert.strictEqual(U.total(s), 0);
});

test("title and badge text", () => {
  assert.strictEqual(U.title(0, "Desk · OCC"), "Desk · OCC");
  assert.strictEqual(U.title(3, "Desk · OCC"), "(3) Desk · OCC");
  assert.strictEqual(U.badgeText(120), "99+");
});

test("a message the snapshot already counted is not counted again", () => {
  const s = U.create();
  U.fromSnapshot(s, [{ id: 2, unread: 1, last_message: { id: 9, direction: "in" } }]);
  U.onMessage(s, 2, inbound(9), false);
  assert.strictEqual(U.count(s, 2), 1);
  U.onMessage(s, 2, inbound(10), false);
  assert.strictEqual(U.count(s, 2), 2);
});
