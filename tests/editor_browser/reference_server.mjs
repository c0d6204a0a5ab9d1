// A y-websocket server for the editor's browser tests, built from the project's own
// packages (yjs, y-protocols, lib0, ws) and behaving like the reference server: every
// update goes to every connection of the room, the sender too; redundant updates are not
// echoed. HTTP is proxied to Django so the page and the socket share one origin (cookies).
//
// Faults are set through GET /__ctl?...:
//   delay=MS      hold echoes and step 2 for MS (slow storage)
//   drop=1|0      lose echoes and step 2
//   down=1|0      refuse new sockets
//   kill=1        drop every socket without a close frame
//   close=CODE    close every socket with CODE
//   mode=ROOM:M   on connect: M = readonly (auth message, writes dropped) or a close code
//   reset=1       back to normal
// GET /__ctl answers with {open, connects: [ms timestamps], text: {room: xml}}.
import http from "node:http";
import { WebSocketServer } from "ws";
import * as Y from "yjs";
import * as syncProtocol from "y-protocols/sync";
import * as awarenessProtocol from "y-protocols/awareness";
import * as encoding from "lib0/encoding";
import * as decoding from "lib0/decoding";

const port = Number(process.env.PORT || 0);
const upstream = new URL(process.env.DJANGO_URL || "http://127.0.0.1:8000");
const faults = { delay: 0, drop: false, down: false, modes: {} };
const connects = [];
const rooms = new Map();

function room(name) {
  let r = rooms.get(name);
  if (r) return r;
  const doc = new Y.Doc();
  const awareness = new awarenessProtocol.Awareness(doc);
  awareness.setLocalState(null);
  r = { doc, awareness, conns: new Map() };
  doc.on("update", (update) => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 0);
    syncProtocol.writeUpdate(e, update);
    const message = encoding.toUint8Array(e);
    for (const conn of r.conns.keys()) send(conn, message, true);
  });
  awareness.on("update", ({ added, updated, removed }, origin) => {
    const changed = added.concat(updated, removed);
    const ids = r.conns.get(origin);
    if (ids) {
      added.forEach((id) => ids.add(id));
      removed.forEach((id) => ids.delete(id));
    }
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(awareness, changed));
    const message = encoding.toUint8Array(e);
    for (const conn of r.conns.keys()) send(conn, message);
  });
  rooms.set(name, r);
  return r;
}

function send(conn, message, isSyncWrite = false) {
  if (conn.readyState !== 1) return;
  if (isSyncWrite && faults.drop) return;
  if (isSyncWrite && faults.delay) {
    setTimeout(() => conn.readyState === 1 && conn.send(message), faults.delay);
    return;
  }
  conn.send(message);
}

const wss = new WebSocketServer({ noServer: true });

const server = http.createServer((req, res) => {
  if (req.url.startsWith("/__ctl")) {
    const q = new URL(req.url, "http://x").searchParams;
    if (q.has("reset")) Object.assign(faults, { delay: 0, drop: false, down: false, modes: {} });
    if (q.has("delay")) faults.delay = Number(q.get("delay"));
    if (q.has("drop")) faults.drop = q.get("drop") === "1";
    if (q.has("down")) faults.down = q.get("down") === "1";
    if (q.has("mode")) {
      const [name, mode] = q.get("mode").split(":");
      faults.modes[name] = mode;
    }
    const all = [...rooms.values()].flatMap((r) => [...r.conns.keys()]);
    if (q.has("kill")) all.forEach((c) => c.terminate());
    if (q.has("close")) all.forEach((c) => c.close(Number(q.get("close")), "test"));
    const text = Object.fromEntries([...rooms].map(([name, r]) => [name, r.doc.getXmlFragment("default").toString()]));
    const titles = Object.fromEntries([...rooms].map(([name, r]) => [name, r.doc.getText("title").toString()]));
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ open: all.length, connects, text, titles }));
    return;
  }
  const proxied = http.request(
    { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    },
  );
  proxied.on("error", () => {
    res.writeHead(502);
    res.end();
  });
  req.pipe(proxied);
});

server.on("upgrade", (req, socket, head) => {
  const match = /^\/ws\/pages\/([0-9a-f-]+)$/.exec(req.url.split("?")[0]);
  if (!match || faults.down) {
    socket.destroy();
    return;
  }
  wss.handleUpgrade(req, socket, head, (conn) => {
    const name = match[1];
    connects.push(Date.now());
    const mode = faults.modes[name];
    if (mode && /^\d+$/.test(mode)) {
      setTimeout(() => conn.close(Number(mode), "test"), 20);
      return;
    }
    const readOnly = mode === "readonly";
    const r = room(name);
    r.conns.set(conn, new Set());
    conn.binaryType = "arraybuffer";
    conn.on("message", (data) => {
      const message = new Uint8Array(data);
      const decoder = decoding.createDecoder(message);
      const type = decoding.readVarUint(decoder);
      if (type === 0) {
        if (readOnly && message[1] !== 0) return;
        const e = encoding.createEncoder();
        encoding.writeVarUint(e, 0);
        const syncType = syncProtocol.readSyncMessage(decoder, e, r.doc, conn);
        if (syncType === 0 && encoding.length(e) > 1) send(conn, encoding.toUint8Array(e), true);
      } else if (type === 1) {
        awarenessProtocol.applyAwarenessUpdate(r.awareness, decoding.readVarUint8Array(decoder), conn);
      }
    });
    conn.on("close", () => {
      const ids = r.conns.get(conn);
      r.conns.delete(conn);
      if (ids) awarenessProtocol.removeAwarenessStates(r.awareness, [...ids], null);
    });
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 0);
    syncProtocol.writeSyncStep1(e, r.doc);
    send(conn, encoding.toUint8Array(e));
    if (r.awareness.getStates().size > 0) {
      const a = encoding.createEncoder();
      encoding.writeVarUint(a, 1);
      encoding.writeVarUint8Array(a, awarenessProtocol.encodeAwarenessUpdate(r.awareness, [...r.awareness.getStates().keys()]));
      send(conn, encoding.toUint8Array(a));
    }
    if (readOnly) {
      const a = encoding.createEncoder();
      encoding.writeVarUint(a, 2);
      encoding.writeVarUint(a, 0);
      encoding.writeVarString(a, "read-only");
      send(conn, encoding.toUint8Array(a));
    }
  });
});

server.listen(port, "127.0.0.1", () => {
  console.log(`listening ${server.address().port}`);
});
