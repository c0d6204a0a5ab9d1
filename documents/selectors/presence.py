"""Who is on which page now: the page list's "2 editing" counts.

The counts come from the server processes that hold the WebSockets (realtime/stats.py sums
their load snapshots). `documents` never imports `realtime`, so realtime registers its
counting function here when the app is ready (realtime/apps.py); without it, nobody is
anywhere. This module adds the rule that matters here: a user hears only about pages they
may see.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from uuid import UUID

from django.core.exceptions import ValidationError

from documents.models import Page
from documents.selectors.access import AnyUser, pages_visible


@dataclass(frozen=True, slots=True)
class PagePresence:
    # Distinct people with the page open, and how many of them may edit it.
    people: int
    editing: int

    @property
    def label(self) -> str:
        """The page list's pill: "2 editing", or "1 viewing" when nobody there may edit.
        static/src/page-presence.js says the same when it refreshes the counts."""
        return f"{self.editing} editing" if self.editing else f"{self.people} viewing"

    @property
    def description(self) -> str:
        """The pill's tooltip, e.g. "3 people have this page open now: 2 editing, 1 viewing"."""
        viewing = self.people - self.editing
        if self.editing and viewing:
            return f"{self.people} people have this page open now: {self.editing} editing, {viewing} viewing"
        who = "1 person is" if self.people == 1 else f"{self.people} people are"
        return f"{who} {'editing' if self.editing else 'viewing'} this page now"


# Page id (as text) -> who is there; pages with nobody are left out.
PresenceSource = Callable[[], Mapping[str, PagePresence]]

_source: PresenceSource | None = None


def presence_source_set(source: PresenceSource | None) -> None:
    """Use `source` for the counts (realtime does this at start-up; tests may swap it)."""
    global _source
    _source = source


def _counts() -> dict[UUID, PagePresence]:
    if _source is None:
        return {}
    to_python = Page._meta.pk.to_python
    counts: dict[UUID, PagePresence] = {}
    for page_id, presence in _source().items():
        try:
            counts[to_python(page_id)] = presence
        except ValidationError:  # a malformed key in a snapshot hides that page, nothing more
            continue
    return counts


def pages_presence(*, user: AnyUser, page_ids: Iterable[UUID] | None = None) -> dict[UUID, PagePresence]:
    """Who is on each page now, for the live pages `user` may see; pages with nobody left out.

    With `page_ids` (pages already known to be visible to the user, like the page list's),
    no query; without, one query to keep the pages the user may see.
    """
    counts = _counts()
    if not counts:
        return {}
    if page_ids is not None:
        wanted = set(page_ids)
        return {page_id: presence for page_id, presence in counts.items() if page_id in wanted}
    visible = pages_visible(user=user).filter(id__in=list(counts)).values_list("id", flat=True)
    return {page_id: counts[page_id] for page_id in visible}
