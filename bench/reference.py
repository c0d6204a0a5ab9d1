"""The reference servers, installed with npm into a folder outside the repo and run on loopback.

    python -m bench.reference install           # npm install into $BENCH_REF_DIR (default /tmp/collab-bench-ref)
    python -m bench.reference start [NAME ...]  # start detached; prints one JSON line per server (name, url, pid)
    python -m bench.reference stop              # stop what `start` started

Servers: ``y-websocket`` (@y/websocket-server 0.1.1: 0.1.5 cannot be installed, see
../shared/TRAPS.md) and ``hocuspocus`` (@hocuspocus/server 3.4.4: the 4.x line needs Node 22).
Neither stores anything: both keep documents in memory only.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REF_DIR = Path(os.environ.get("BENCH_REF_DIR", "/tmp/collab-bench-ref"))
PACKAGES = {
    "@y/websocket-server": "0.1.1",
    "@hocuspocus/server": "3.4.4",
    "yjs": "13.6.33",
}
HOCUSPOCUS_SCRIPT = """\
import { Server } from '@hocuspocus/server'
const server = new Server({ port: Number(process.env.PORT), address: process.env.HOST, quiet: true })
server.listen().then(() => console.log(`hocuspocus on ${process.env.HOST}:${process.env.PORT}`))
"""
SERVERS = {
    "y-websocket": (["node", "node_modules/@y/websocket-server/src/server.js"], "y-websocket"),
    "hocuspocus": (["node", "hocuspocus-server.mjs"], "hocuspocus"),
}
STATE = REF_DIR / "running.json"


def install(quiet: bool = True) -> Path:
    """npm install the pinned packages (once; a marker file remembers the versions)."""
    marker = REF_DIR / ".installed"
    want = json.dumps(PACKAGES, sort_keys=True)
    if marker.exists() and marker.read_text() == want:
        return REF_DIR
    REF_DIR.mkdir(parents=True, exist_ok=True)
    package = {"name": "collab-bench-ref", "private": True, "type": "module", "dependencies": PACKAGES}
    (REF_DIR / "package.json").write_text(json.dumps(package, indent=2))
    (REF_DIR / "hocuspocus-server.mjs").write_text(HOCUSPOCUS_SCRIPT)
    cmd = ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"]
    subprocess.run(cmd, cwd=REF_DIR, check=True, stdout=subprocess.DEVNULL if quiet else None)
    marker.write_text(want)
    return REF_DIR


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on port {port}")


def _raise_nofile() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


@dataclass
class RefServer:
    name: str
    url: str
    dialect: str
    pid: int
    proc: subprocess.Popen | None = None

    def stop(self) -> None:
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        if self.proc is not None:
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def to_dict(self) -> dict:
        return {"name": self.name, "url": self.url, "dialect": self.dialect, "pid": self.pid}


def start(name: str, log_dir: Path | None = None) -> RefServer:
    """Start one reference server on a free loopback port and wait until it listens."""
    install()
    cmd, dialect = SERVERS[name]
    port = free_port()
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "NODE_ENV": "production"}
    log = open((log_dir or REF_DIR) / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
    proc = subprocess.Popen(
        cmd,
        cwd=REF_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_raise_nofile,
        start_new_session=True,
    )
    log.close()
    try:
        wait_port(port)
    except TimeoutError:
        proc.kill()
        raise
    return RefServer(name, f"ws://127.0.0.1:{port}", dialect, proc.pid, proc)


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in ("install", "start", "stop"):
        raise SystemExit(__doc__)
    if argv[0] == "install":
        print(install(quiet=False))
    elif argv[0] == "start":
        servers = [start(n) for n in (argv[1:] or list(SERVERS))]
        STATE.write_text(json.dumps([s.to_dict() for s in servers]))
        for s in servers:
            print(json.dumps(s.to_dict()))
    else:
        for s in json.loads(STATE.read_text()) if STATE.exists() else []:
            RefServer(**s).stop()
            print(f"stopped {s['name']} (pid {s['pid']})")
        STATE.unlink(missing_ok=True)


if __name__ == "__main__":
    main(sys.argv[1:])
