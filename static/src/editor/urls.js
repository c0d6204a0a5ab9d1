// What a user types into the link dialog, made into a safe href. Pure, shared with the tests.

const ALLOWED_SCHEMES = new Set(["http:", "https:", "mailto:", "tel:"]);

/** Returns an href, or null for something that must not become a link (javascript: ...). */
export function normalizeUrl(input) {
  const value = String(input || "").trim();
  if (!value || /\s/.test(value)) return null;
  if (value.startsWith("/") || value.startsWith("#") || value.startsWith("?")) {
    return value.startsWith("//") ? `https:${value}` : value;
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value);
  if (scheme) {
    const name = `${scheme[1].toLowerCase()}:`;
    // "localhost:8000/x" and "example.com:8080" look like a scheme but are host:port.
    if (!ALLOWED_SCHEMES.has(name) && /^[a-z0-9.-]+:\d+/i.test(value)) return `http://${value}`;
    return ALLOWED_SCHEMES.has(name) ? value : null;
  }
  if (/^[^@\s/]+@[^@\s/]+\.[^@\s/]+$/.test(value)) return `mailto:${value}`;
  return `https://${value}`;
}

/** A short form of an href to show in the link bubble. */
export function displayUrl(href) {
  return String(href || "")
    .replace(/^https?:\/\//, "")
    .replace(/^mailto:/, "")
    .replace(/\/$/, "");
}
