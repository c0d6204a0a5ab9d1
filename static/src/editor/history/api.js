// The page history REST API (documents/api): list, read, compare, name and restore versions.
import { api } from "../../api.js";

export class HistoryApi {
  constructor(pageId) {
    this.base = `/api/pages/${encodeURIComponent(pageId)}/versions/`;
  }

  /** A page of the list, newest first: {count, next, previous, results}. `url` is a `next` link. */
  list(url = null) {
    return api("GET", url || this.base);
  }

  /** One version with its text, HTML and Markdown. */
  get(number) {
    return api("GET", `${this.base}${number}/`);
  }

  /** {from, to, summary, changes, html, side_by_side: {before, after}} */
  diff(from, to) {
    return api("GET", `${this.base}${from}/diff/${to}/`);
  }

  /** Names the page as it is now; answers with the new version. */
  name(label) {
    return api("POST", this.base, { label });
  }

  /** Makes this version's content the page's current content, as a new version. */
  restore(number) {
    return api("POST", `${this.base}${number}/restore/`);
  }
}
