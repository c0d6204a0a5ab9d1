"""Throwaway PostgreSQL and Redis servers for the test session, on free ports.

Each runs from Debian's binaries in a temporary folder, so fault tests can stop and restart
it without touching any other server on the machine. `TEST_DATABASE_URL` / `TEST_REDIS_URL`
point the suite at existing servers instead (the fault tests that stop servers then skip).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


class ServerUnavailable(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise ServerUnavailable(f"nothing listens on {host}:{port} after {timeout} s")


def _postgres_bin() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    if not candidates:
        raise ServerUnavailable(
            "PostgreSQL is not installed. Install it with `sudo apt-get install -y postgresql` "
            "or set TEST_DATABASE_URL to an existing server."
        )
    return Path(candidates[0]).parent


@dataclass
class PostgresServer:
    """A private PostgreSQL cluster; `stop()` and `start()` keep its data.

    Tests run it without fsync (nothing must survive a power cut); benchmarks with
    `durable=True`, PostgreSQL's own defaults, so that a stored update is on disk.
    """

    port: int = field(default_factory=free_port)
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="collab-pg-")))
    durable: bool = False

    def __post_init__(self) -> None:
        self.bin = _postgres_bin()
        self.data = self.directory / "data"
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            # initdb refuses to run as root: run the cluster as the postgres user.
            entry = pwd.getpwnam("postgres")
            os.chown(self.directory, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, cwd="/")
        if result.returncode != 0:
            raise ServerUnavailable(f"{program} failed: {result.stdout}\n{result.stderr}")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c max_connections=300"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.directory / "log"), "-w", "start")
        wait_for_port(self.port)

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except ServerUnavailable:
            pass
        shutil.rmtree(self.directory, ignore_errors=True)


@dataclass
class RedisServer:
    """A private redis-server; `stop()` and `start()` on the same port."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def __post_init__(self) -> None:
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(self.binary).exists():
            raise ServerUnavailable(
                "redis-server is not installed. Install it with `sudo apt-get install -y redis-server` "
                "or set TEST_REDIS_URL to an existing server."
            )

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def destroy(self) -> None:
        self.stop()
