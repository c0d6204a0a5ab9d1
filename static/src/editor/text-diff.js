// The smallest single edit that turns one string into another, for binding a plain
// <textarea> to a Y.Text. Pure, shared with the tests.

const isHigh = (code) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code) => code >= 0xdc00 && code <= 0xdfff;

/**
 * @returns {{index: number, remove: number, insert: string} | null} null when equal.
 * Never splits a surrogate pair, so an emoji is replaced whole.
 */
export function diffText(before, after) {
  if (before === after) return null;
  let prefix = 0;
  const max = Math.min(before.length, after.length);
  while (prefix < max && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  if (prefix > 0 && isHigh(before.charCodeAt(prefix - 1))) prefix--;
  let suffix = 0;
  while (
    suffix < max - prefix &&
    before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)
  ) {
    suffix++;
  }
  if (suffix > 0 && isLow(before.charCodeAt(before.length - suffix))) suffix--;
  return {
    index: prefix,
    remove: before.length - prefix - suffix,
    insert: after.slice(prefix, after.length - suffix),
  };
}

/**
 * Moves a caret position through a Y.Text delta (retain/insert/delete ops) made by someone
 * else. An insert exactly at the caret stays before it, so their typing does not push ours.
 */
export function mapPosition(position, delta, assoc = -1) {
  let oldIndex = 0;
  let shift = 0;
  for (const op of delta) {
    if (oldIndex > position) break;
    if (op.retain !== undefined) {
      oldIndex += op.retain;
    } else if (op.insert !== undefined) {
      const length = typeof op.insert === "string" ? op.insert.length : 1;
      if (oldIndex < position || (oldIndex === position && assoc > 0)) shift += length;
    } else if (op.delete !== undefined) {
      const end = oldIndex + op.delete;
      shift -= Math.min(end, position) - Math.min(oldIndex, position);
      oldIndex = end;
    }
  }
  return Math.max(0, position + shift);
}
