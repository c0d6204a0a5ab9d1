// The saved-state tracker against real Y.Docs: a "server" doc that echoes what it stores,
// as the y-websocket protocol does, and clients whose frames are built by y-protocols.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as Y from "yjs";
import * as encoding from "lib0/encoding";
import * as syncProtocol from "y-protocols/sync";
import * as authProtocol from "y-protocols/auth";

import { IdRanges, SavedState, parseServerMessage, trackDoc } from "../src/editor/saved-state.js";

const REMOTE = Symbol("provider");

function frame(write) {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
}
const step1Frame = (doc) => frame((e) => { encoding.writeVarUint(e, 0); syncProtocol.writeSyncStep1(e, doc); });
const step2Frame = (doc, sv) =>
  frame((e) => { encoding.writeVarUint(e, 0); syncProtocol.writeSyncStep2(e, doc, sv && Y.encodeStateVector(sv)); });
const updateFrame = (update) => frame((e) => { encoding.writeVarUint(e, 0); syncProtocol.writeUpdate(e, update); });

/** A server doc that records the update of each transaction, like the server's echo. */
function makeServer() {
  const doc = new Y.Doc();
  const echoes = [];
  doc.on("update", (update) => echoes.push(update));
  return {
    doc,
    echoes,
    /** Applies a client's update; returns the echo frame, or null if nothing was new. */
    receive(update) {
      const before = echoes.length;
      Y.applyUpdate(doc, update, "client");
      return echoes.length > before ? updateFrame(echoes[echoes.length - 1]) : null;
    },
  };
}

/** A client doc whose local changes are tracked and sent into `outbox`. */
function makeClient() {
  const doc = new Y.Doc();
  const state = new SavedState();
  const outbox = [];
  trackDoc(doc, state, REMOTE);
  doc.on("update", (update, origin) => {
    if (origin !== REMOTE) outbox.push(update);
  });
  return {
    doc,
    state,
    outbox,
    text: doc.getText("t"),
    /** The server's frame reaches this client: applied by the "provider", then read by us. */
    deliver(data) {
      const message = parseServerMessage(data);
      if (message.type === "step2" || message.type === "update") Y.applyUpdate(doc, message.update, REMOTE);
      state.readServerMessage(data);
    },
    flush(server) {
      const echoes = this.outbox.splice(0).map((u) => server.receive(u));
      return echoes.filter(Boolean);
    },
  };
}

test("IdRanges merges, covers and subtracts ranges", () => {
  const r = new IdRanges();
  r.addMany(1, [[5, 8], [0, 2], [2, 3], [10, 12]]);
  assert.deepEqual(r.clients.get(1), [[0, 3], [5, 8], [10, 12]]);
  assert.ok(r.covers(1, 5, 8));
  assert.ok(!r.covers(1, 2, 6));
  const other = new IdRanges();
  other.addMany(1, [[1, 6], [11, 20]]);
  r.subtract(other);
  assert.deepEqual(r.clients.get(1), [[0, 1], [6, 8], [10, 11]]);
  other.add(1, 0, 100);
  r.subtract(other);
  assert.ok(r.isEmpty);
  const spanning = new IdRanges();
  spanning.addMany(7, [[0, 2], [4, 6], [8, 9]]);
  const cut = new IdRanges();
  cut.addMany(7, [[1, 5], [8, 9]]);
  spanning.subtract(cut);
  assert.deepEqual(spanning.clients.get(7), [[0, 1], [5, 6]]);
});

test("a local insert is pending until the server echoes it", () => {
  const server = makeServer();
  const client = makeClient();
  client.text.insert(0, "hello");
  assert.equal(client.state.pending, true);
  const [echo] = client.flush(server);
  assert.equal(client.state.pending, true, "sent is not saved");
  client.deliver(echo);
  assert.equal(client.state.pending, false);
});

test("an echo of only the first of two edits keeps the second pending", () => {
  const server = makeServer();
  const client = makeClient();
  client.text.insert(0, "a");
  client.text.insert(1, "b");
  const first = server.receive(client.outbox.shift());
  client.deliver(first);
  assert.equal(client.state.pending, true);
  client.deliver(server.receive(client.outbox.shift()));
  assert.equal(client.state.pending, false);
});

test("a lost echo is confirmed by the server's state vector after a reconnect", () => {
  const server = makeServer();
  const client = makeClient();
  client.text.insert(0, "stored but echo lost");
  client.flush(server); // the connection drops before the echo arrives
  assert.equal(client.state.pending, true);
  client.deliver(step1Frame(server.doc)); // reconnect: the server's sync step 1
  assert.equal(client.state.pending, false);
});

test("the server's state vector does not confirm what it lacks", () => {
  const server = makeServer();
  const client = makeClient();
  client.text.insert(0, "never arrived");
  client.outbox.length = 0; // lost on the way
  client.deliver(step1Frame(server.doc));
  assert.equal(client.state.pending, true);
});

test("a local delete is pending until the server's echo covers it", () => {
  const server = makeServer();
  const client = makeClient();
  client.text.insert(0, "hello world");
  client.flush(server).forEach((f) => client.deliver(f));
  assert.equal(client.state.pending, false);
  client.text.delete(5, 6);
  assert.equal(client.state.pending, true);
  client.flush(server).forEach((f) => client.deliver(f));
  assert.equal(client.state.pending, false);
});

test("a redundant delete is confirmed by someone else's delete of the same text", () => {
  const server = makeServer();
  const alice = makeClient();
  const bob = makeClient();
  alice.text.insert(0, "shared text");
  alice.flush(server).forEach((f) => { alice.deliver(f); bob.deliver(f); });
  // Both delete "shared " at once; Bob's update reaches the server first.
  alice.text.delete(0, 7);
  bob.text.delete(0, 7);
  const bobEcho = bob.flush(server);
  const aliceEcho = alice.flush(server);
  assert.equal(aliceEcho.length, 0, "Alice's update is redundant: the server does not echo it");
  assert.equal(alice.state.pending, true);
  bobEcho.forEach((f) => alice.deliver(f));
  assert.equal(alice.state.pending, false);
});

test("a delete is not confirmed by unrelated deletes", () => {
  const server = makeServer();
  const alice = makeClient();
  const bob = makeClient();
  alice.text.insert(0, "one two");
  alice.flush(server).forEach((f) => { alice.deliver(f); bob.deliver(f); });
  alice.text.delete(0, 3);
  alice.outbox.length = 0; // not delivered yet
  bob.text.delete(4, 3);
  bob.flush(server).forEach((f) => alice.deliver(f));
  assert.equal(alice.state.pending, true);
});

test("content loaded from IndexedDB that the server has is confirmed by step 1 and step 2", () => {
  const server = makeServer();
  const earlier = makeClient();
  earlier.text.insert(0, "written last week, then partly deleted");
  earlier.text.delete(0, 8);
  earlier.flush(server);
  const stored = Y.encodeStateAsUpdate(earlier.doc); // what IndexedDB kept

  const client = makeClient();
  Y.applyUpdate(client.doc, stored, "indexeddb");
  assert.equal(client.state.pending, true, "unknown to be saved until the server says so");
  client.deliver(step1Frame(server.doc));
  assert.equal(client.state.pending, true, "inserts confirmed, deletes not yet");
  client.deliver(step2Frame(server.doc, client.doc));
  assert.equal(client.state.pending, false);
});

test("IndexedDB content loaded after the server's sync is checked against what it sent", () => {
  const server = makeServer();
  const earlier = makeClient();
  earlier.text.insert(0, "abc");
  earlier.text.delete(0, 1);
  earlier.flush(server);
  const client = makeClient();
  client.deliver(step1Frame(server.doc));
  client.deliver(step2Frame(server.doc, client.doc));
  // IndexedDB finishes loading only now: nothing in it is new to the server.
  Y.applyUpdate(client.doc, Y.encodeStateAsUpdate(earlier.doc), "indexeddb");
  assert.equal(client.state.pending, false);
});

test("offline edits from IndexedDB stay pending until the server stores them", () => {
  const server = makeServer();
  const earlier = makeClient();
  earlier.text.insert(0, "online ");
  earlier.flush(server);
  earlier.text.insert(7, "offline");
  earlier.outbox.length = 0; // never reached the server
  const client = makeClient();
  Y.applyUpdate(client.doc, Y.encodeStateAsUpdate(earlier.doc), "indexeddb");
  client.deliver(step1Frame(server.doc));
  client.deliver(step2Frame(server.doc, client.doc));
  assert.equal(client.state.pending, true);
  // The provider answers the server's step 1 with our step 2; the server stores and echoes it.
  const reply = Y.encodeStateAsUpdate(client.doc, Y.encodeStateVector(server.doc));
  client.deliver(server.receive(reply));
  assert.equal(client.state.pending, false);
});

test("remote changes are never pending", () => {
  const server = makeServer();
  const alice = makeClient();
  const bob = makeClient();
  alice.text.insert(0, "from alice");
  alice.flush(server).forEach((f) => bob.deliver(f));
  assert.equal(bob.state.pending, false);
});

test("onChange fires when the pending flag flips", () => {
  const server = makeServer();
  const client = makeClient();
  const seen = [];
  client.state.onChange = (pending) => seen.push(pending);
  client.text.insert(0, "x");
  client.text.insert(1, "y");
  client.flush(server).forEach((f) => client.deliver(f));
  assert.deepEqual(seen, [true, false]);
});

test("parseServerMessage reads auth and tolerates garbage", () => {
  const auth = frame((e) => { encoding.writeVarUint(e, 2); authProtocol.writePermissionDenied(e, "read-only"); });
  assert.deepEqual(parseServerMessage(auth), { type: "auth", reason: "read-only" });
  assert.deepEqual(parseServerMessage(new Uint8Array([0, 2, 200])), { type: "unknown" });
  assert.deepEqual(parseServerMessage(new Uint8Array([])), { type: "unknown" });
  const state = new SavedState();
  state.readServerMessage(new Uint8Array([0, 1, 3, 1, 2, 3]));
  assert.equal(state.pending, false);
});

test("a long session stays cheap: confirmed ranges merge", () => {
  const server = makeServer();
  const client = makeClient();
  for (let i = 0; i < 500; i++) {
    client.text.insert(client.text.length, "x");
    if (i % 3 === 0) client.text.delete(0, 1);
    client.flush(server).forEach((f) => client.deliver(f));
  }
  assert.equal(client.state.pending, false);
  assert.equal(client.state.serverStructs.clients.get(client.doc.clientID).length, 1);
  assert.ok(client.state.pendingDeletes.isEmpty);
});
