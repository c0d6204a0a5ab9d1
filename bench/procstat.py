"""CPU time and memory of server processes (and their descendants), read from /proc."""

from __future__ import annotations

import os
import resource
import threading
import time

_TICK = os.sysconf("SC_CLK_TCK")
_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    # the command name may contain spaces; fields after the closing parenthesis are fixed
    return data[data.rindex(")") + 2 :].split()


def with_descendants(pids: list[int]) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields:
                children.setdefault(int(fields[1]), []).append(int(entry))
    out: list[int] = []
    todo = list(pids)
    while todo:
        pid = todo.pop()
        if pid not in out:
            out.append(pid)
            todo.extend(children.get(pid, []))
    return out


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICK


def rss_kb(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * _PAGE_KB
        except OSError:
            pass
    return total


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # without guest time, already counted in user
    return (total - idle) / _TICK, total / _TICK


def self_cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


class ServerSampler:
    """Samples the servers' RSS in a thread; CPU seconds are taken at start and stop."""

    def __init__(self, pids: list[int], interval: float = 0.25) -> None:
        self.pids = with_descendants(pids) if pids else []
        self.interval = interval
        self.rss_samples: list[int] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.cpu0 = self.cpu1 = 0.0
        self.t0 = self.t1 = 0.0
        self.machine0 = (0.0, 0.0)

    def start(self) -> ServerSampler:
        self.machine0 = machine_cpu_seconds()
        if self.pids:
            self.cpu0 = cpu_seconds(self.pids)
            self.rss_samples.append(rss_kb(self.pids))
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        self.t0 = time.monotonic()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.rss_samples.append(rss_kb(self.pids))

    def stop(self) -> dict:
        self.t1 = time.monotonic()
        busy1, total1 = machine_cpu_seconds()
        busy = busy1 - self.machine0[0]
        cores = os.cpu_count() or 1
        machine = {
            "machine_busy_pct": round(100 * busy / max(total1 - self.machine0[1], 1e-9), 1),
            "machine_cores": cores,
            "loadavg_1m": os.getloadavg()[0],
        }
        if not self.pids:
            return machine
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.cpu1 = cpu_seconds(self.pids)
        self.rss_samples.append(rss_kb(self.pids))
        wall = max(self.t1 - self.t0, 1e-9)
        return {
            "server_cpu_s": round(self.cpu1 - self.cpu0, 3),
            "server_cpu_pct": round(100 * (self.cpu1 - self.cpu0) / wall, 1),
            "server_rss_kb_start": self.rss_samples[0],
            "server_rss_kb_max": max(self.rss_samples),
            "server_rss_kb_end": self.rss_samples[-1],
            "machine_busy_cpu_s": round(busy, 2),
            **machine,
        }
