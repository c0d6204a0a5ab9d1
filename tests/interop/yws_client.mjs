// A y-websocket client in Node, as browsers run it: the unmodified WebsocketProvider.
// It types numbered tokens into the Y.Text "t", optionally goes offline and types more,
// reconnects, waits until it holds every token the other clients were told to write, and
// prints its final text as one JSON line.
//
// node yws_client.mjs --url ws://127.0.0.1:8000/ws/pages --page ID --cookie "sessionid=..."
//   --name a --edits 20 --interval 20 --offline-edits 5 --expect a:25,b:20 --timeout 20000
import WebSocket from "ws";
import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, value, index, all) => {
    if (value.startsWith("--")) pairs.push([value.slice(2), all[index + 1]]);
    return pairs;
  }, []),
);
const edits = Number(args.edits ?? 10);
const offlineEdits = Number(args["offline-edits"] ?? 0);
const interval = Number(args.interval ?? 20);
const timeout = Number(args.timeout ?? 20000);
const expect = (args.expect ?? "").split(",").filter(Boolean).map((pair) => {
  const [name, count] = pair.split(":");
  return [name, Number(count)];
});

class CookieWebSocket extends WebSocket {
  constructor(url, protocols) {
    super(url, protocols, { headers: args.cookie ? { Cookie: args.cookie } : {} });
  }
}

const doc = new Y.Doc();
const text = doc.getText("t");
const provider = new WebsocketProvider(args.url, args.page, doc, {
  WebSocketPolyfill: CookieWebSocket,
  disableBc: true,
});
const closes = [];
provider.on("connection-close", (event) => closes.push(event?.code));
provider.awareness.setLocalState({ user: { name: `Node ${args.name} ✓`, color: "#2557d6" } });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const until = async (predicate, ms) => {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
};

function type(index) {
  const token = `[${args.name}:${index}]`;
  // At either end, never inside another token, so every token stays readable.
  const position = Math.random() < 0.5 ? 0 : text.length;
  text.insert(position, token);
}

const report = (extra) => {
  process.stdout.write(
    JSON.stringify({ name: args.name, text: text.toString(), closes, synced: provider.synced, ...extra }) + "\n",
  );
};

if (!(await until(() => provider.synced, timeout))) {
  report({ error: "never synced" });
  process.exit(2);
}
for (let i = 0; i < edits; i++) {
  type(i);
  await sleep(interval);
}
if (offlineEdits > 0) {
  provider.disconnect();
  for (let i = edits; i < edits + offlineEdits; i++) type(i);
  await sleep(200);
  provider.connect();
  await until(() => provider.synced, timeout);
}
const count = (name) => (text.toString().match(new RegExp(`\\[${name}:\\d+\\]`, "g")) ?? []).length;
const complete = await until(() => expect.every(([name, n]) => count(name) >= n), timeout);
// Give the last echoes a moment so the server holds what we hold.
await sleep(300);
report({ complete, counts: Object.fromEntries(expect.map(([name]) => [name, count(name)])) });
provider.destroy();
process.exit(complete ? 0 : 3);
