"""Live server processes for tests, and a Python y-websocket client on a real socket.

`LiveServer` runs `python -m collab_site.serve` (what `make run` and production run) against
the test session's PostgreSQL database and Redis, on a free port. Tests that use it need
`transactional_db`, so the data they create is committed and visible to the server.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import websockets
from django.conf import settings
from django.test import Client

from tests.support.servers import free_port, wait_for_port
from tests.support.yclient import YClient

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    return f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


class LiveServer:
    """One server process; `kill()` is SIGKILL, `stop()` SIGTERM, `start()` again on the same port."""

    def __init__(self, name: str = "server", extra_env: dict[str, str] | None = None) -> None:
        self.name = name
        self.port = free_port()
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen | None = None
        self.log = Path(tempfile.mkstemp(prefix=f"collab-{name}-", suffix=".log")[1])

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": os.environ["REDIS_URL"],
            "SECRET_KEY": settings.SECRET_KEY,
            "DEBUG": "1",
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            "REALTIME_ROOM_GRACE_SECONDS": "0.5",
            "REALTIME_RENDER_DELAY_SECONDS": "0.2",
            "REALTIME_REPAIR_INTERVAL_SECONDS": "0.25",
            "GRACEFUL_SHUTDOWN_SECONDS": "3",
            **self.extra_env,
        }
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "collab_site.serve"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            wait_for_port(self.port, timeout=30)
        except Exception:
            self.kill()
            raise RuntimeError(f"{self.name} did not start:\n{self.output()}") from None
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self.process = None

    def stop(self, timeout: float = 20) -> int | None:
        if self.process is None:
            return None
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None
        self.process = None
        return code

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None


class SocketClient(YClient):
    """A YClient on a real WebSocket that reconnects (and resyncs) when asked to."""

    def __init__(self, url: str, cookie: str | None = None, name: str = "client") -> None:
        super().__init__(name)
        self.url = url
        self.cookie = cookie
        self.ws: websockets.ClientConnection | None = None
        self.close_code: int | None = None
        self._reader: asyncio.Task | None = None
        self._changed = asyncio.Event()
        self.connected = False

    async def connect(self, url: str | None = None) -> None:
        if url:
            self.url = url
        headers = {"Cookie": self.cookie} if self.cookie else {}
        self.ws = await websockets.connect(self.url, additional_headers=headers, max_size=None, open_timeout=10)
        self.connected = True
        self.close_code = None
        self.synced = False
        self._reader = asyncio.get_running_loop().create_task(self._read())
        self.hello()
        await self.flush()

    async def _read(self) -> None:
        try:
            async for frame in self.ws:
                if isinstance(frame, bytes):
                    self.receive(frame)
                    await self.flush()
                    self._changed.set()
        except websockets.ConnectionClosed:
            pass
        finally:
            self.connected = False
            if self.ws is not None and self.ws.close_code is not None:
                self.close_code = self.ws.close_code
            self._changed.set()

    async def flush(self) -> None:
        if not self.connected or self.ws is None:
            return  # kept in the doc; the next sync step 2 carries it
        frames = self.take_outbox()
        try:
            for frame in frames:
                await self.ws.send(frame)
        except websockets.ConnectionClosed:
            self.connected = False

    def take_outbox(self) -> list[bytes]:
        if not self.connected:
            # Offline: drop queued frames; local edits travel in the next step 2.
            self.outbox = []
            return []
        return super().take_outbox()

    async def edit(self, content: str) -> None:
        self.append(content)
        await self.flush()

    async def wait_for(self, predicate, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{self.name}: condition not met in {timeout} s; text={self.content()!r}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.2))
            except TimeoutError:
                pass

    async def wait_synced(self, timeout: float = 10.0) -> None:
        await self.wait_for(lambda: self.synced, timeout)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        self.connected = False

    async def abort(self) -> None:
        """Drop the TCP connection without a close frame, as a crashed client would."""
        if self.ws is not None:
            self.ws.transport.abort()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        self.connected = False
