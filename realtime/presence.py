"""Awareness states of one page (who is here, their cursors), as y-protocols keeps them."""

from __future__ import annotations

import time
from dataclasses import dataclass

from realtime.protocol import AwarenessEntry


@dataclass(slots=True)
class _State:
    clock: int
    state: str
    updated: float


class Presence:
    def __init__(self) -> None:
        self._states: dict[int, _State] = {}
        # Which local connection announced each client id: another connection may not
        # change or remove it (a hostile client could otherwise hide or fake others' cursors).
        self._owners: dict[int, int] = {}

    def __len__(self) -> int:
        return sum(1 for s in self._states.values() if s.state != "null")

    def apply(self, entries: list[AwarenessEntry], owner: int | None = None) -> list[AwarenessEntry]:
        """Take the entries y-protocols would take; returns them (the others are stale).

        `owner` is the local connection sending them (None for another process's entries).
        """
        now = time.monotonic()
        accepted = []
        for entry in entries:
            held_by = self._owners.get(entry.client_id)
            if owner is not None and held_by is not None and held_by != owner:
                continue
            current = self._states.get(entry.client_id)
            newer = current is None or current.clock < entry.clock
            # An equal clock with a null state is a removal the client resends on close.
            leaving = current is not None and current.clock == entry.clock and entry.removed and current.state != "null"
            if newer or leaving:
                self._states[entry.client_id] = _State(entry.clock, entry.state, now)
                accepted.append(entry)
                if entry.removed:
                    self._owners.pop(entry.client_id, None)
                elif owner is not None:
                    self._owners[entry.client_id] = owner
        return accepted

    def remove(self, client_ids: set[int]) -> list[AwarenessEntry]:
        """Mark clients as gone; returns the removal entries to send to the others."""
        now = time.monotonic()
        removed = []
        for client_id in client_ids:
            self._owners.pop(client_id, None)
            current = self._states.get(client_id)
            if current is None or current.state == "null":
                continue
            current.clock += 1
            current.state = "null"
            current.updated = now
            removed.append(AwarenessEntry(client_id, current.clock, "null"))
        return removed

    def expire(self, max_age: float) -> list[AwarenessEntry]:
        """Remove states nobody renewed for `max_age` seconds (clients renew every 15 s)."""
        cutoff = time.monotonic() - max_age
        stale = {cid for cid, s in self._states.items() if s.updated < cutoff and s.state != "null"}
        removed = self.remove(stale)
        # Forget removals long past: clients only need them while they may still hold the state.
        for cid in [cid for cid, s in self._states.items() if s.state == "null" and s.updated < cutoff]:
            del self._states[cid]
        return removed

    def entries(self) -> list[AwarenessEntry]:
        """Every client's current state, for a new connection or a query."""
        return [AwarenessEntry(cid, s.clock, s.state) for cid, s in self._states.items() if s.state != "null"]
