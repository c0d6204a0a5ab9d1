// What to do when the connection closes: stop for good, stop until the user acts, or retry
// after a delay. Delays are jittered so that clients dropped together (a server restart
// closes every socket with 1012) come back spread out instead of all in the same instant.
// Pure, shared with the tests.

/** Close codes after which reconnecting cannot help: show a message and stop. */
export const FATAL_CLOSE = {
  4401: "signed-out",
  4403: "forbidden",
  4404: "deleted",
};

/** Close codes that say our own data is the problem: retrying would send it again. */
export const STOP_CLOSE = {
  4400: "malformed",
  4413: "too-large",
  1009: "too-large", // far past the limit: the server cuts the message off before reading it
};

export const SERVER_RESTART = 1012;
export const GOING_AWAY = 1001;
export const PAGE_FULL = 1013;
export const TOO_FAST = 4429;

/**
 * @param {number | null} code  the CloseEvent code, or null when we closed it ourselves
 * @returns {{action: "fatal" | "stop" | "retry", reason: string}}
 */
export function closeOutcome(code) {
  if (code != null && FATAL_CLOSE[code]) return { action: "fatal", reason: FATAL_CLOSE[code] };
  if (code != null && STOP_CLOSE[code]) return { action: "stop", reason: STOP_CLOSE[code] };
  if (code === PAGE_FULL) return { action: "retry", reason: "full" };
  if (code === TOO_FAST) return { action: "retry", reason: "too-fast" };
  if (code === SERVER_RESTART || code === GOING_AWAY) return { action: "retry", reason: "restart" };
  return { action: "retry", reason: "network" };
}

/** "Equal jitter": half the window is fixed, half random, so attempts never bunch at 0. */
function equalJitter(windowMs, random) {
  return Math.round(windowMs / 2 + random() * (windowMs / 2));
}

/**
 * Milliseconds to wait before reconnect attempt number `attempt` (0 for the first retry
 * after a connection that had synced).
 */
export function reconnectDelay(code, attempt, random = Math.random) {
  const n = Math.max(0, Math.min(attempt, 10));
  switch (closeOutcome(code).reason) {
    case "restart":
      // Every client of the restarted server gets this at once: spread the first retry
      // uniformly over 0.5-5 s, then back off like any other failure.
      if (n === 0) return Math.round(500 + random() * 4500);
      return equalJitter(Math.min(30000, 1000 * 2 ** n), random);
    case "full":
      return equalJitter(Math.min(60000, 5000 * 2 ** n), random);
    case "too-fast":
      return equalJitter(Math.min(60000, 3000 * 2 ** n), random);
    default:
      // A network blip: come back quickly, then slow down up to 15 s.
      if (n === 0) return Math.round(200 + random() * 800);
      return equalJitter(Math.min(15000, 500 * 2 ** n), random);
  }
}
