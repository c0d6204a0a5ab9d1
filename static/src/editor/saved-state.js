// Which local changes the server has confirmed it stored.
//
// The server echoes an update only after it is in the database, so anything the server
// sends us describes stored state. We record every change that did not come from the
// server (typing, undo, the title, content loaded from IndexedDB) as ranges of Yjs ids:
// the structs it inserted and the items it deleted. A change is confirmed once the server
// has shown us those ids:
//   - sync step 1 carries the server's state vector: it holds every struct below its clock;
//   - sync step 2 and updates carry structs (client, clock range) and a delete set.
// What the server has shown us is remembered across reconnects, so the order does not
// matter: an echo lost with a dropped connection is made up for by the next step 1, a
// delete someone else made first is covered by their update's delete set, and content
// loaded from IndexedDB that the server already has is confirmed by its step 1 and step 2.
//
// Pure: no DOM, no provider. It only needs yjs and lib0 to read the server's messages.
import * as Y from "yjs";
import * as decoding from "lib0/decoding";

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const MESSAGE_AUTH = 2;
const MESSAGE_QUERY_AWARENESS = 3;
const SYNC_STEP1 = 0;
const SYNC_STEP2 = 1;
const SYNC_UPDATE = 2;

/** Sorted, merged half-open ranges [start, end) of clocks per client id. */
export class IdRanges {
  constructor() {
    /** @type {Map<number, Array<[number, number]>>} */
    this.clients = new Map();
  }

  get isEmpty() {
    return this.clients.size === 0;
  }

  /** Adds many ranges of one client at once: O((n + m) log) rather than O(n * m). */
  addMany(client, ranges) {
    const added = ranges.filter(([start, end]) => end > start);
    if (added.length === 0) return;
    const all = (this.clients.get(client) || []).concat(added).sort((a, b) => a[0] - b[0]);
    const merged = [];
    for (const [start, end] of all) {
      const last = merged[merged.length - 1];
      if (last && start <= last[1]) last[1] = Math.max(last[1], end);
      else merged.push([start, end]);
    }
    this.clients.set(client, merged);
  }

  add(client, start, end) {
    this.addMany(client, [[start, end]]);
  }

  /** True when [start, end) of `client` lies inside one range. */
  covers(client, start, end) {
    if (end <= start) return true;
    const ranges = this.clients.get(client);
    if (!ranges) return false;
    return ranges.some(([a, b]) => a <= start && end <= b);
  }

  /** Removes from this set every clock that `other` holds for `client` (both sorted). */
  subtractClient(client, other) {
    const mine = this.clients.get(client);
    const theirs = other.clients.get(client);
    if (!mine || !theirs) return;
    const out = [];
    let j = 0;
    for (let [start, end] of mine) {
      while (j < theirs.length && theirs[j][1] <= start) j++;
      let k = j;
      while (start < end && k < theirs.length && theirs[k][0] < end) {
        const [a, b] = theirs[k];
        if (a > start) out.push([start, a]);
        start = Math.max(start, b);
        k++;
      }
      if (start < end) out.push([start, end]);
    }
    if (out.length) this.clients.set(client, out);
    else this.clients.delete(client);
  }

  subtract(other, clients = other.clients.keys()) {
    for (const client of clients) this.subtractClient(client, other);
  }

  /** Total number of clocks held, for display and tests. */
  get length() {
    let total = 0;
    for (const ranges of this.clients.values()) for (const [a, b] of ranges) total += b - a;
    return total;
  }
}

/** The ranges of a Yjs DeleteSet ({clients: Map<client, [{clock, len}]>}) per client. */
function deleteSetRanges(deleteSet) {
  const out = new Map();
  for (const [client, items] of deleteSet.clients) {
    out.set(
      client,
      items.map((item) => [item.clock, item.clock + item.len]),
    );
  }
  return out;
}

/**
 * Reads one y-websocket frame from the server.
 * @returns {{type: "step1", stateVector: Map<number, number>}
 *   | {type: "step2" | "update", update: Uint8Array}
 *   | {type: "auth", reason: string} | {type: "awareness" | "query-awareness" | "unknown"}}
 */
export function parseServerMessage(data) {
  try {
    const decoder = decoding.createDecoder(data);
    const messageType = decoding.readVarUint(decoder);
    if (messageType === MESSAGE_SYNC) {
      const syncType = decoding.readVarUint(decoder);
      const payload = decoding.readVarUint8Array(decoder);
      if (syncType === SYNC_STEP1) return { type: "step1", stateVector: Y.decodeStateVector(payload) };
      if (syncType === SYNC_STEP2) return { type: "step2", update: payload };
      if (syncType === SYNC_UPDATE) return { type: "update", update: payload };
    } else if (messageType === MESSAGE_AUTH) {
      const authType = decoding.readVarUint(decoder);
      if (authType === 0) return { type: "auth", reason: decoding.readVarString(decoder) };
    } else if (messageType === MESSAGE_AWARENESS) {
      return { type: "awareness" };
    } else if (messageType === MESSAGE_QUERY_AWARENESS) {
      return { type: "query-awareness" };
    }
  } catch {
    // A frame we cannot read confirms nothing; the provider reports its own errors.
  }
  return { type: "unknown" };
}

export class SavedState {
  /** @param {{onChange?: (pending: boolean) => void}} options */
  constructor({ onChange } = {}) {
    this.onChange = onChange || (() => {});
    // What we changed and the server has not shown us yet.
    this.pendingStructs = new IdRanges();
    this.pendingDeletes = new IdRanges();
    // What the server has shown us it stores.
    this.serverStructs = new IdRanges();
    this.serverDeletes = new IdRanges();
    this._pending = false;
  }

  get pending() {
    return this._pending;
  }

  /**
   * Records a change that did not come from the server. Takes a Y.Transaction, or anything
   * with its `beforeState`, `afterState` (Map client -> clock) and `deleteSet`.
   */
  trackLocal({ beforeState, afterState, deleteSet }) {
    const touched = [];
    for (const [client, after] of afterState) {
      const before = beforeState.get(client) || 0;
      if (after > before) {
        this.pendingStructs.add(client, before, after);
        touched.push(client);
      }
    }
    this.pendingStructs.subtract(this.serverStructs, touched);
    if (deleteSet) {
      const ranges = deleteSetRanges(deleteSet);
      for (const [client, list] of ranges) this.pendingDeletes.addMany(client, list);
      this.pendingDeletes.subtract(this.serverDeletes, ranges.keys());
    }
    this._changed();
  }

  /** The server holds every struct below its state vector's clock for each client. */
  confirmStateVector(stateVector) {
    for (const [client, clock] of stateVector) {
      this.serverStructs.add(client, 0, clock);
    }
    this.pendingStructs.subtract(this.serverStructs, stateVector.keys());
    this._changed();
  }

  /** A sync step 2 or update from the server: its structs and delete set are stored. */
  confirmUpdate(update) {
    let decoded;
    try {
      decoded = Y.decodeUpdate(update);
    } catch {
      return;
    }
    const structs = new Map();
    for (const struct of decoded.structs) {
      if (struct instanceof Y.Skip) continue;
      const { client, clock } = struct.id;
      if (!structs.has(client)) structs.set(client, []);
      structs.get(client).push([clock, clock + struct.length]);
    }
    for (const [client, list] of structs) this.serverStructs.addMany(client, list);
    this.pendingStructs.subtract(this.serverStructs, structs.keys());
    const deletes = deleteSetRanges(decoded.ds);
    for (const [client, list] of deletes) this.serverDeletes.addMany(client, list);
    this.pendingDeletes.subtract(this.serverDeletes, deletes.keys());
    this._changed();
  }

  /** Feeds one raw frame from the server; returns what it was (see parseServerMessage). */
  readServerMessage(data) {
    const message = parseServerMessage(data);
    if (message.type === "step1") this.confirmStateVector(message.stateVector);
    else if (message.type === "step2" || message.type === "update") this.confirmUpdate(message.update);
    return message;
  }

  _changed() {
    const pending = !this.pendingStructs.isEmpty || !this.pendingDeletes.isEmpty;
    if (pending !== this._pending) {
      this._pending = pending;
      this.onChange(pending);
    }
  }
}

/**
 * Connects a SavedState to a Y.Doc: every transaction whose origin is not `remoteOrigin`
 * (the provider) is tracked. Returns a function that disconnects it.
 */
export function trackDoc(doc, savedState, remoteOrigin) {
  const onAfterTransaction = (transaction) => {
    if (transaction.origin === remoteOrigin) return;
    const changed =
      transaction.deleteSet.clients.size > 0 ||
      [...transaction.afterState].some(([client, clock]) => clock !== (transaction.beforeState.get(client) || 0));
    if (changed) savedState.trackLocal(transaction);
  };
  doc.on("afterTransaction", onAfterTransaction);
  return () => doc.off("afterTransaction", onAfterTransaction);
}
