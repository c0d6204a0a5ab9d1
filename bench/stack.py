"""Our server as the benchmarks run it: on its own PostgreSQL (durable: fsync and synchronous
commit on, PostgreSQL's defaults; `BENCH_DURABLE=0` turns both off, to see what durability
costs) and Redis, with production settings (DEBUG off).

    with ours_stack() as command:   # a command line with {port}, for bench.run's --ours-cmd
        ...

The database and Redis live for the whole run; each scenario starts a fresh server process.
Limits meant for people (connections per user, messages per second) are lifted: one
benchmark account opens thousands of connections and replays traces at full speed.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.servers import PostgresServer, RedisServer  # noqa: E402

BENCH_USER = "bench"


@contextlib.contextmanager
def ours_stack() -> Iterator[str]:
    postgres = PostgresServer(durable=os.environ.get("BENCH_DURABLE", "1") != "0")
    redis = RedisServer()
    postgres.start()
    redis.start()
    password = secrets.token_urlsafe(16)
    env = {
        "DATABASE_URL": postgres.url,
        "REDIS_URL": redis.url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "METRICS_ALLOWED_IPS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "REALTIME_MAX_CONNECTIONS_PER_USER": "1000000",
        "REALTIME_MAX_CONNECTIONS_PER_PAGE": "1000000",
        "REALTIME_MESSAGES_PER_SECOND": "1000000",
        "REALTIME_MESSAGE_BURST": "1000000",
        "API_RATE_LIMIT": "1000000/min",
        "BENCH_USER": BENCH_USER,
        "BENCH_PASSWORD": password,
    }
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        python = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
        subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
        subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True)
        create = (
            "from django.contrib.auth.models import User; "
            f"User.objects.create_user({BENCH_USER!r}, password={password!r})"
        )
        subprocess.run([python, "manage.py", "shell", "-v0", "-c", create], cwd=ROOT, check=True)
        yield f"{python} -m collab_site.serve --port {{port}}"
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        redis.destroy()
        postgres.destroy()


def loadgen_command(scenario: list[str], port: int, server_pid: int) -> list[str]:
    """`python -m bench.loadgen SCENARIO...` against our server on `port`, signed in as the
    benchmark account, on pages made over REST, sampling the server's CPU and memory."""
    return [
        sys.executable, "-m", "bench.loadgen", *scenario,
        "--url", f"ws://127.0.0.1:{port}/ws/pages", "--name", "ours",
        "--auth", "py:bench.ours:session", "--rooms-spec", "py:bench.ours:pages",
        "--pid", str(server_pid),
    ]  # fmt: skip
