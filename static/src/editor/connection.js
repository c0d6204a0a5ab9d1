// The WebSocket side of the editor: an unmodified y-websocket WebsocketProvider, plus
//   - raw server frames fed to the saved-state tracker (a listener on each new socket),
//   - our own reconnect timing (jittered, per close code) instead of the provider's,
//   - close codes and the read-only auth message turned into states the page can show.
import { WebsocketProvider } from "y-websocket";
import * as authProtocol from "y-protocols/auth";

import { closeOutcome, reconnectDelay } from "./reconnect.js";

const MESSAGE_AUTH = 2;

export function defaultServerUrl(location = window.location) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws/pages`;
}

/**
 * phase: "connecting" (first attempt, never connected) | "syncing" (socket open, waiting for
 * the server's sync step 2) | "online" | "offline" (closed, a retry is scheduled) |
 * "fatal" (4401/4403/4404: stopped for good) | "stopped" (4400/4413: stopped until retry()).
 */
export class Connection {
  constructor({ serverUrl, room, doc, savedState, onChange }) {
    this.savedState = savedState;
    this.onChange = onChange || (() => {});
    this.phase = "connecting";
    this.everSynced = false;
    this.readOnly = false; // the server said so (auth message "permission denied")
    this.closeCode = null;
    this.closeReason = null; // from reconnect.js: "signed-out", "forbidden", "full", ...
    this.nextRetryAt = null;
    this.offlineSince = null; // when the last synced connection dropped
    this._attempt = 0;
    this._retryTimer = null;
    this._listening = new WeakSet();

    this.provider = new WebsocketProvider(serverUrl, room, doc, { connect: false });
    const provider = this.provider;

    // The read-only notice arrives as y-protocols auth "permission denied"; the default
    // handler only logs a warning. messageHandlers is the provider's per-instance table.
    provider.messageHandlers[MESSAGE_AUTH] = (_encoder, decoder) => {
      authProtocol.readAuthMessage(decoder, doc, (_doc, reason) => this._onPermissionDenied(reason));
    };

    provider.on("status", ({ status }) => {
      if (status === "connecting") this._listen(provider.ws);
      if (status === "connected") {
        this._listen(provider.ws);
        this._set({ phase: "syncing" });
      }
    });
    provider.on("sync", (synced) => {
      if (!synced) return;
      this.everSynced = true;
      this._attempt = 0;
      this._set({ phase: "online", closeCode: null, closeReason: null, offlineSince: null });
    });
    provider.on("connection-close", (event) => this._onClose(event));

    this._onOnline = () => {
      if (this.phase === "offline") this._schedule(Math.round(Math.random() * 1000));
    };
    this._onVisible = () => {
      // Back to a tab that waits for a distant retry: try soon rather than in 15 s.
      if (document.visibilityState === "visible" && this.phase === "offline" && this.nextRetryAt - Date.now() > 2000) {
        this._schedule(Math.round(250 + Math.random() * 750));
      }
    };
    // The browser knows it lost the network before the socket does (a socket without
    // traffic can take 30 s to notice): say "offline" at once and reconnect on "online".
    this._onOffline = () => {
      if (this.phase === "fatal" || this.phase === "stopped" || this.phase === "connecting") return;
      clearTimeout(this._retryTimer);
      this.provider.disconnect();
      this._set({ phase: "offline", closeCode: null, closeReason: "network", offlineSince: this.offlineSince || Date.now() });
    };
    window.addEventListener("online", this._onOnline);
    window.addEventListener("offline", this._onOffline);
    document.addEventListener("visibilitychange", this._onVisible);
  }

  connect() {
    this.provider.connect();
  }

  /** Reconnects now (the "Try again" action). */
  retry() {
    if (this.phase === "fatal") return;
    this._set({ phase: this.everSynced ? "offline" : "connecting", closeReason: null });
    this._schedule(0);
  }

  destroy() {
    clearTimeout(this._retryTimer);
    window.removeEventListener("online", this._onOnline);
    window.removeEventListener("offline", this._onOffline);
    document.removeEventListener("visibilitychange", this._onVisible);
    this.provider.destroy();
  }

  _listen(ws) {
    if (!ws || this._listening.has(ws)) return;
    this._listening.add(ws);
    ws.addEventListener("message", (event) => {
      if (event.data instanceof ArrayBuffer) this.savedState.readServerMessage(new Uint8Array(event.data));
    });
  }

  _onPermissionDenied(reason) {
    if (!this.readOnly) {
      this.readOnly = true;
      this.readOnlyReason = reason;
      this._set({});
    }
  }

  _onClose(event) {
    const provider = this.provider;
    // We time reconnects ourselves; the provider's own timer finds shouldConnect false and
    // does nothing. A close we asked for (disconnect/destroy) had it false already.
    const wanted = provider.shouldConnect;
    provider.shouldConnect = false;
    if (!wanted) return;
    const code = event ? event.code : null;
    const outcome = closeOutcome(code);
    if (outcome.action === "fatal") {
      this._set({ phase: "fatal", closeCode: code, closeReason: outcome.reason });
      return;
    }
    if (outcome.action === "stop") {
      this._set({ phase: "stopped", closeCode: code, closeReason: outcome.reason });
      return;
    }
    const delay = reconnectDelay(code, this._attempt++);
    this._set({ phase: "offline", closeCode: code, closeReason: outcome.reason, offlineSince: this.offlineSince || Date.now() });
    this._schedule(delay);
  }

  _schedule(delay) {
    clearTimeout(this._retryTimer);
    this.nextRetryAt = Date.now() + delay;
    this._retryTimer = setTimeout(() => {
      this.nextRetryAt = null;
      if (this.phase === "fatal" || this.phase === "online" || this.phase === "syncing") return;
      // The old socket is still closing (we dropped it on "offline"): try again shortly.
      if (this.provider.ws) return this._schedule(250);
      this.provider.connect();
    }, delay);
  }

  _set(changes) {
    Object.assign(this, changes);
    this.onChange(this);
  }
}
