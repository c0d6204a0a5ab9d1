"""The scenarios other than fan-out: connect, open-race, bigdoc, presence, replay.

Each is ``async (target, rooms, args) -> dict`` and returns the numbers of one JSON line.
"""

from __future__ import annotations

import asyncio
import gc
import time
from argparse import Namespace

from . import trace
from . import yproto as p
from .client import Target, YClient
from .common import close_clients, digest, error_sample, open_clients
from .procstat import ServerSampler, rss_kb, self_cpu_seconds, with_descendants
from .stats import LoopLagProbe, summary


def _ms(ns: int) -> float:
    return round(ns / 1e6, 2)


def _trace_text(client: YClient, doc_type: str) -> str:
    """The text a trace edits (for xml: the paragraph's text, without the tags)."""
    if doc_type == "xml" and len(client.root.children) == 0:
        return ""
    return str(trace.text_root(client.doc, doc_type))


async def connect(target: Target, rooms: list[str], args: Namespace) -> dict:
    """N clients connect as fast as `--concurrency` allows: time until all synced, memory per connection."""
    pids = with_descendants(target.pids) if target.pids else []
    gc.collect()
    await asyncio.sleep(0.5)
    rss_before = rss_kb(pids) if pids else None
    clients = [YClient(target, rooms[0 if args.one_room else i], i, apply="none") for i in range(args.n)]
    sampler = ServerSampler(target.pids).start()
    cpu0 = self_cpu_seconds()
    t0 = time.monotonic_ns()
    connected, errors = await open_clients(clients, args.concurrency, args.sync_timeout)
    synced = [c for c in clients if c.synced.is_set()]
    all_synced_ms = _ms(max(c.synced_ns for c in synced) - t0) if synced else None
    loadgen_cpu = self_cpu_seconds() - cpu0
    server = sampler.stop()
    await asyncio.sleep(args.hold)
    rss_after = rss_kb(pids) if pids else None
    still_open = sum(1 for c in clients if c.synced.is_set() and not c.closed.is_set())
    t_close = time.monotonic()
    await close_clients(clients)
    close_s = time.monotonic() - t_close
    await asyncio.sleep(1.0)
    rss_closed = rss_kb(pids) if pids else None
    per_conn = [(c.synced_ns - c.connect_started_ns) / 1e6 for c in synced]
    return {
        "n": args.n,
        "one_room": args.one_room,
        "concurrency": args.concurrency,
        "connected": connected,
        "failures": args.n - connected,
        "still_open_after_hold": still_open,
        "all_synced_s": round(all_synced_ms / 1000, 3) if all_synced_ms is not None else None,
        **summary(per_conn, "connect_ms_"),
        "server_rss_kb_before": rss_before,
        "server_rss_kb_connected": rss_after,
        "server_rss_kb_after_close": rss_closed,
        "kb_per_connection": round((rss_after - rss_before) / max(connected, 1), 1) if pids else None,
        "close_all_s": round(close_s, 2),
        "loadgen_cpu_s": round(loadgen_cpu, 2),
        **{k: v for k, v in server.items() if k.startswith(("server_cpu", "machine", "loadavg"))},
        "errors": len(errors),
        "error_sample": error_sample(errors),
    }


async def open_race(target: Target, rooms: list[str], args: Namespace) -> dict:
    """C clients open one brand-new room at the same moment, K times: all synced? all converge?"""
    runs = []
    for k in range(args.repeat):
        clients = [YClient(target, rooms[k], i, apply="live") for i in range(args.clients)]
        t0 = time.monotonic_ns()
        await asyncio.gather(*(c.connect(open_timeout=args.sync_timeout) for c in clients), return_exceptions=True)
        await asyncio.gather(*(c.wait_synced(10.0) for c in clients))
        synced = [c for c in clients if c.synced.is_set()]
        all_synced_ms = _ms(max(c.synced_ns for c in synced) - t0) if synced else None
        for c in synced:
            await c.insert(f"~{c.index}~")
        want = {f"~{c.index}~" for c in synced}
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline and not all(all(t in c.text() for t in want) for c in synced):  # noqa: ASYNC110 - polling with a deadline
            await asyncio.sleep(0.02)
        texts = {c.text() for c in synced}
        converged = len(texts) == 1 and all(t in next(iter(texts)) for t in want)
        runs.append({"synced": len(synced), "converged": converged, "all_synced_ms": all_synced_ms})
        await close_clients(clients)
    synced_counts = [r["synced"] for r in runs]
    return {
        "clients": args.clients,
        "repeat": args.repeat,
        "synced_min": min(synced_counts),
        "synced_all_runs": sum(1 for n in synced_counts if n == args.clients),
        "converged_runs": sum(1 for r in runs if r["converged"]),
        **summary([r["all_synced_ms"] for r in runs if r["all_synced_ms"] is not None], "all_synced_ms_"),
        "runs": runs,
    }


async def bigdoc(target: Target, rooms: list[str], args: Namespace) -> dict:
    """A fresh client syncing a big document that a seeding client replayed into the server."""
    tu = trace.load(args.trace, args.doc_type, args.tail)
    echoes = 0
    echoed = asyncio.Event()
    expect = 1 + args.tail

    def on_update(_c: YClient, _u: bytes, _now: int, sub: int) -> None:
        nonlocal echoes
        if sub == p.SYNC_UPDATE:
            echoes += 1
            if echoes >= expect:
                echoed.set()

    seeder = YClient(target, rooms[0], 0, doc_type=args.doc_type, apply="none", on_update=on_update)
    t0 = time.monotonic()
    await seeder.connect()
    if not await seeder.wait_synced(args.sync_timeout):
        raise SystemExit(f"seeder not synced: {seeder.error}")
    await seeder.send(p.sync_update(tu.head_for(args.tail)))
    for u in tu.updates[len(tu.updates) - args.tail :]:
        await seeder.send(p.sync_update(u))
    try:
        await asyncio.wait_for(echoed.wait(), 120)
    except TimeoutError:
        pass
    seed_s = time.monotonic() - t0
    if args.cold:
        await seeder.close()
        await asyncio.sleep(2.0)
    times, received, complete = [], [], 0
    step2 = 0
    for i in range(args.repeat):
        c = YClient(target, rooms[0], 1 + i, doc_type=args.doc_type, apply="live")
        await c.connect()
        ok = await c.wait_synced(args.sync_timeout)
        if ok:
            times.append((c.synced_ns - c.connect_started_ns) / 1e6)
            received.append((c.synced_ns - c.opened_ns) / 1e6)
            step2 = c.step2_bytes
            text = _trace_text(c, args.doc_type)
            complete += len(text.encode()) == tu.end_len and digest(text) == tu.end_digest
        await c.close()
    if not args.cold:
        await seeder.close()
    return {
        "trace": args.trace,
        "doc_type": args.doc_type,
        "edits": len(tu.updates),
        "seed": f"one update of the first {len(tu.updates) - args.tail} edits, then {args.tail} single edits",
        "seed_s": round(seed_s, 2),
        "seed_echoes": echoes,
        "cold": args.cold,
        "repeat": args.repeat,
        "complete": complete,
        "step2_bytes": step2,
        **summary(times, "sync_ms_"),
        "sync_ms_min": round(min(times), 2) if times else None,
        **{k: v for k, v in summary(received, "after_open_ms_").items() if k.endswith("p50")},
    }


async def presence(target: Target, rooms: list[str], args: Namespace) -> dict:
    """Awareness latency to other clients, and removal after an abrupt disconnect (no close frame)."""
    latencies: list[float] = []
    removals: list[float] = []
    watched: dict[int, int] = {}  # client id -> abort time (ns)
    removed_seen: set[tuple[int, int]] = set()
    sender_id = -1

    def on_awareness(c: YClient, entries: list[p.AwarenessEntry], now: int) -> None:
        for e in entries:
            if e.client_id == sender_id and isinstance(e.state, dict) and "t" in e.state and 0 < c.index < 1000:
                latencies.append((now - e.state["t"]) / 1e6)
            elif e.client_id in watched and e.state is None and (c.index, e.client_id) not in removed_seen:
                removed_seen.add((c.index, e.client_id))
                removals.append((now - watched[e.client_id]) / 1e6)

    def state(i: int, **extra: object) -> dict:
        return {"user": {"name": f"Zoë Ångström 🙂 {i}", "color": "#30bced"}, **extra}

    clients = [YClient(target, rooms[0], i, on_awareness=on_awareness) for i in range(args.clients)]
    for i, c in enumerate(clients):
        c.awareness_state = state(i)
    connected, errors = await open_clients(clients, args.concurrency, args.sync_timeout)
    sender_id = clients[0].client_id
    await asyncio.sleep(0.3)
    probe = LoopLagProbe().start()
    for seq in range(args.samples):
        await clients[0].set_awareness(state(0, seq=seq, t=time.monotonic_ns()))
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    lag = probe.stop()

    removal_runs = 5
    not_removed = 0
    others = clients  # everyone, the awareness sender too, must see the victim leave
    for r in range(removal_runs):
        victim = YClient(target, rooms[0], 1000 + r, on_awareness=on_awareness)
        victim.awareness_state = state(1000 + r)
        await victim.connect()
        await victim.wait_synced(args.sync_timeout)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not all(victim.client_id in o.awareness for o in others):  # noqa: ASYNC110 - polling with a deadline
            await asyncio.sleep(0.01)
        before = len(removals)
        watched[victim.client_id] = time.monotonic_ns()
        victim.abort()
        deadline = time.monotonic() + 40  # long enough to see a 30 s ping timeout
        while time.monotonic() < deadline and len(removals) - before < len(others):  # noqa: ASYNC110 - polling with a deadline
            await asyncio.sleep(0.005)
        not_removed += len(others) - (len(removals) - before)
    await close_clients(clients)
    return {
        "clients": args.clients,
        "connected": connected,
        "samples": args.samples,
        "awareness_expected": args.samples * (args.clients - 1),
        **summary(latencies, "awareness_ms_"),
        "removal_runs": removal_runs,
        **summary(removals, "removal_ms_"),
        "not_removed": not_removed,
        **{"loadgen_" + k: v for k, v in lag.items()},
        "errors": len(errors),
        "error_sample": error_sample(errors),
    }


async def replay(target: Target, rooms: list[str], args: Namespace) -> dict:
    """One client replays a whole trace, one update per edit, as fast as the server echoes them."""
    tu = trace.load(args.trace, args.doc_type)
    n = len(tu.updates)
    echoes = 0
    progress = asyncio.Event()

    def on_update(_c: YClient, _u: bytes, _now: int, sub: int) -> None:
        nonlocal echoes
        if sub == p.SYNC_UPDATE:
            echoes += 1
            progress.set()

    c = YClient(target, rooms[0], 0, doc_type=args.doc_type, apply="none", on_update=on_update)
    await c.connect()
    if not await c.wait_synced(args.sync_timeout):
        raise SystemExit(f"not synced: {c.error}")
    sampler = ServerSampler(target.pids).start()
    cpu0 = self_cpu_seconds()
    t0 = time.monotonic()
    sent = 0
    stalled = False
    for u in tu.updates:
        while sent - echoes >= args.window:
            progress.clear()
            try:
                await asyncio.wait_for(progress.wait(), 30)
            except TimeoutError:
                stalled = True
                break
        if stalled or c.closed.is_set():
            break
        await c.send(p.sync_update(u))
        sent += 1
    t_sent = time.monotonic() - t0
    deadline = time.monotonic() + 120
    while echoes < sent and time.monotonic() < deadline and not c.closed.is_set():
        progress.clear()
        try:
            await asyncio.wait_for(progress.wait(), 5)
        except TimeoutError:
            break
    t_echoed = time.monotonic() - t0
    server = sampler.stop()
    loadgen_cpu = self_cpu_seconds() - cpu0
    closed_by_server = c.close_code if c.closed.is_set() else None
    fresh = YClient(target, rooms[0], 1, doc_type=args.doc_type, apply="live")
    await fresh.connect()
    ok = await fresh.wait_synced(args.sync_timeout)
    text = _trace_text(fresh, args.doc_type) if ok else ""
    await fresh.close()
    await c.close()
    return {
        "trace": args.trace,
        "edits": n,
        "window": args.window,
        "sent": sent,
        "echoed": echoes,
        "send_s": round(t_sent, 2),
        "all_echoed_s": round(t_echoed, 2),
        "edits_per_s": round(echoes / t_echoed, 1) if t_echoed else None,
        "stalled": stalled,
        "closed_by_server": closed_by_server,
        "final_text_ok": len(text.encode()) == tu.end_len and digest(text) == tu.end_digest,
        "fresh_sync_ms": _ms(fresh.synced_ns - fresh.connect_started_ns) if ok else None,
        "loadgen_cpu_s": round(loadgen_cpu, 2),
        **{k: v for k, v in server.items() if k.startswith(("server_", "machine_busy_pct", "loadavg"))},
    }
