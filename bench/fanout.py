"""Fan-out: R rooms x C clients, each inserting a unique token at E edits/s for D seconds.

Each token is ``~SENDER.SEQ.SEND_NS~`` with the sender's CLOCK_MONOTONIC time in ns, so a
receiver in any process on the same machine computes the latency from the raw update
bytes (Yjs writes inserted strings verbatim into an update) without shared state.
The clients of one run may be spread over several worker processes (see workers.py);
this module holds one worker's part and the merge of the parts.
"""

from __future__ import annotations

import asyncio
import gc
import random
import re
import time
from array import array
from dataclasses import asdict, dataclass

from . import yproto as p
from .client import Target, YClient
from .common import close_clients, digest, error_sample, open_clients
from .procstat import self_cpu_seconds
from .stats import LoopLagProbe, summary

TOKEN_RE = re.compile(rb"~(\d+)\.(\d+)\.(\d+)~")


@dataclass
class FanoutParams:
    rooms: int = 1
    clients: int = 50
    rate: float = 2.0  # edits per second per client
    duration: float = 15.0
    settle: float = 10.0  # longest wait for the last deliveries after editing stops
    doc_type: str = "text"
    apply: str = "deferred"
    verify_budget: int = 400_000  # apply at most this many received updates per worker to verify
    concurrency: int = 100
    sync_timeout: float = 30.0
    workers: int = 1


class Recorder:
    """Latencies and deliveries seen by the clients of one worker."""

    def __init__(self, clients_per_room: int) -> None:
        self.c = clients_per_room
        self.latencies = array("d")  # ms, insert -> receipt at another client of the room
        self.echoes = array("d")  # ms, insert -> the echo back to its sender
        self.marks: dict[int, dict[int, bytearray]] = {}  # receiver -> sender -> seq marks
        self.received: dict[int, int] = {}
        self.duplicates = 0
        self.foreign = 0  # tokens of another room: a server mixing rooms up

    def on_update(self, client: YClient, update: bytes, now: int, sub: int) -> None:
        receiver = client.index
        room = receiver // self.c
        for m in TOKEN_RE.finditer(update):
            sender, seq, sent = int(m[1]), int(m[2]), int(m[3])
            if sender // self.c != room:
                self.foreign += 1
                continue
            ms = (now - sent) / 1e6
            if sender == receiver:
                if sub == p.SYNC_UPDATE:
                    self.echoes.append(ms)
                continue
            per_sender = self.marks.setdefault(receiver, {})
            seen = per_sender.get(sender)
            if seen is None:
                seen = per_sender[sender] = bytearray()
            if seq >= len(seen):
                seen.extend(bytes(seq + 1 - len(seen) + 64))
            if seen[seq]:
                self.duplicates += 1
                continue
            seen[seq] = 1
            self.received[receiver] = self.received.get(receiver, 0) + 1
            if sub == p.SYNC_UPDATE:
                self.latencies.append(ms)


class InlineCoordinator:
    """Single-process run: no one else to wait for."""

    def __init__(self, on_start=None, on_settled=None) -> None:
        self.on_start = on_start
        self.on_settled = on_settled
        self.server: dict = {}

    async def ready(self, info: dict) -> tuple[int, int]:
        if self.on_start:
            self.on_start()
        return info["start_ns"], info["end_ns"]

    async def exchange_sent(self, sent: dict[int, int]) -> dict[int, int]:
        return sent

    async def settled(self) -> None:
        if self.on_settled:
            self.server = self.on_settled()


async def run_worker(target: Target, rooms: list[str], params: FanoutParams, indices: list[int], coord) -> dict:
    """Run the clients with global indices `indices`; client i is in room i // clients."""
    per_room = params.clients
    rec = Recorder(per_room)
    clients = [
        YClient(target, rooms[i // per_room], i, doc_type=params.doc_type, apply=params.apply, on_update=rec.on_update)
        for i in indices
    ]
    t0 = time.monotonic()
    connected, errors = await open_clients(clients, params.concurrency, params.sync_timeout)
    connect_s = time.monotonic() - t0
    gc.freeze()  # long-lived client objects leave the collector's scans (fewer pauses)
    lead_ns = int(0.5e9)
    start_ns = time.monotonic_ns() + lead_ns
    start_ns, end_ns = await coord.ready(
        {"connected": connected, "start_ns": start_ns, "end_ns": start_ns + int(params.duration * 1e9)}
    )

    probe = LoopLagProbe().start()
    cpu0 = self_cpu_seconds()
    period = int(1e9 / params.rate)
    send_lag: list[float] = []
    rng = random.Random(indices[0] if indices else 0)

    async def editor(client: YClient) -> int:
        seq = 0
        due = start_ns + rng.randrange(period)
        while due < end_ns:
            delay = due - time.monotonic_ns()
            if delay > 0:
                await asyncio.sleep(delay / 1e9)
            else:
                send_lag.append(-delay / 1e6)
            if client.closed.is_set():
                break
            try:
                await client.insert(f"~{client.index}.{seq}.{time.monotonic_ns()}~")
            except Exception:
                break
            seq += 1
            due += period
        return seq

    live = [c for c in clients if c.synced.is_set()]
    counts = await asyncio.gather(*(editor(c) for c in live))
    sent = {c.index: n for c, n in zip(live, counts, strict=True)}
    edit_end = time.monotonic_ns()

    all_sent = await coord.exchange_sent(sent)
    per_room: dict[int, int] = {}
    for sender, n in all_sent.items():
        per_room[sender // params.clients] = per_room.get(sender // params.clients, 0) + n
    expected = {c.index: per_room.get(c.index // params.clients, 0) - all_sent.get(c.index, 0) for c in live}
    deadline = time.monotonic() + params.settle
    while time.monotonic() < deadline:
        if all(rec.received.get(i, 0) >= n for i, n in expected.items()):
            break
        await asyncio.sleep(0.02)
    settle_ms = (time.monotonic_ns() - edit_end) / 1e6
    received_in_time = sum(rec.received.get(i, 0) for i in expected)
    closed_early = sum(1 for c in live if c.closed.is_set())
    await coord.settled()
    cpu_run = self_cpu_seconds() - cpu0
    lag = probe.stop()

    # Convergence: apply what deferred mode stored (all clients when cheap, else a sample per
    # room), plus one fresh client per room (up to 100) that shows what the server holds.
    total_pending = sum(len(c.pending) for c in live)
    verify = live
    if total_pending > params.verify_budget:
        by_room: dict[str, list[YClient]] = {}
        for c in live:
            by_room.setdefault(c.room, []).append(c)
        verify = [c for group in by_room.values() for c in (group[:2] + group[-1:] if len(group) > 3 else group)]
    texts: dict[int, tuple[int, str, int]] = {}
    for c in verify:
        c.finalize()
        text = c.text()
        texts[c.index] = (c.index // params.clients, digest(text), len(text))
    checkers = [
        YClient(target, rooms[i // params.clients], -1 - i, doc_type=params.doc_type)
        for i in indices
        if i % params.clients == 0 and i // params.clients < 100
    ]
    await open_clients(checkers, params.concurrency, params.sync_timeout)
    fresh = {
        i // params.clients: (digest(c.text()), len(c.text()))
        for i, c in zip(
            [i for i in indices if i % params.clients == 0 and i // params.clients < 100], checkers, strict=True
        )
        if c.synced.is_set()
    }
    await close_clients(checkers + clients)
    errors += [c.error for c in clients if c.error]
    return {
        "connected": connected,
        "connect_s": connect_s,
        "errors": errors,
        "closed_early": closed_early,
        "sent": sent,
        "expected": sum(expected.values()),
        "received": received_in_time,
        "received_late": sum(rec.received.get(i, 0) for i in expected) - received_in_time,
        "duplicates": rec.duplicates,
        "foreign": rec.foreign,
        "latencies": rec.latencies.tobytes(),
        "echoes": rec.echoes.tobytes(),
        "send_lag": send_lag,
        "settle_ms": settle_ms,
        "texts": texts,
        "fresh": fresh,
        "verified": len(verify),
        "cpu_s": cpu_run,
        "wall_s": (edit_end - start_ns) / 1e9,
        "lag": lag,
    }


def merge(params: FanoutParams, parts: list[dict]) -> dict:
    """One JSON-able result from the workers' parts."""
    lat = array("d")
    echo = array("d")
    for part in parts:
        lat.frombytes(part["latencies"])
        echo.frombytes(part["echoes"])
    expected = sum(x["expected"] for x in parts)
    received = sum(x["received"] for x in parts)
    rooms_texts: dict[int, set[str]] = {}
    for part in parts:
        for room, dig, _ in part["texts"].values():
            rooms_texts.setdefault(room, set()).add(dig)
        for room, (dig, _) in part["fresh"].items():
            rooms_texts.setdefault(room, set()).add(dig)
    diverged = sorted(room for room, digs in rooms_texts.items() if len(digs) != 1)
    total_clients = params.rooms * params.clients
    connected = sum(x["connected"] for x in parts)
    errors = [e for x in parts for e in x["errors"]]
    sent = sum(sum(x["sent"].values()) for x in parts)
    send_lag = sorted(v for x in parts for v in x["send_lag"])
    wall = max(x["wall_s"] for x in parts)
    out = {
        **asdict(params),
        "clients_total": total_clients,
        "connected": connected,
        "connect_s": round(max(x["connect_s"] for x in parts), 3),
        "edits_sent": sent,
        "edits_per_s": round(sent / wall, 1) if wall else None,
        "deliveries_expected": expected,
        "deliveries_received": received,
        "lost": expected - received,  # not received within the settle time
        "received_after_settle": sum(x["received_late"] for x in parts),
        "duplicates": sum(x["duplicates"] for x in parts),
        "foreign_tokens": sum(x["foreign"] for x in parts),
        **summary(lat, "latency_ms_"),
        **{k: v for k, v in summary(echo, "echo_ms_").items() if not k.endswith("mean")},
        "settle_ms": round(max(x["settle_ms"] for x in parts), 1),
        "converged": not diverged,
        "closed_early": sum(x["closed_early"] for x in parts),
        "rooms_diverged": len(diverged),
        "clients_verified": sum(x["verified"] for x in parts),
        "fresh_clients_checked": sum(len(x["fresh"]) for x in parts),
        "late_sends": len(send_lag),
        "send_lag_ms_max": round(send_lag[-1], 2) if send_lag else 0,
        "loadgen_cpu_s": round(sum(x["cpu_s"] for x in parts), 2),
        "loadgen_cpu_pct": round(100 * sum(x["cpu_s"] for x in parts) / wall, 1) if wall else None,
        "loadgen_loop_lag_ms_p99": max((x["lag"].get("loop_lag_ms_p99") or 0) for x in parts),
        "loadgen_loop_lag_ms_max": max((x["lag"].get("loop_lag_ms_max") or 0) for x in parts),
        "errors": len(errors),
        "error_sample": error_sample(errors),
    }
    return out
