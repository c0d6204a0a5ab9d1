"""A small production-shaped cluster on this machine, without Docker: `make run-cluster`.

Starts a private PostgreSQL and Redis (data under .cluster/ in the repository), migrates,
creates the development account, starts N app processes (`python -m collab_site.serve`, as
production runs it) and a reverse proxy on PORT (8000) that balances HTTP and WebSockets
between them: nginx when it is installed (installed with apt-get when missing and running as
root), else the small asyncio proxy below. Ctrl-C stops everything, apps first (SIGTERM:
they close sockets with 1012, store and compact), then the proxy, Redis and PostgreSQL.

    python deploy/cluster.py [--processes 2] [--proxy auto|nginx|python]

Open the same page in two browser windows through the proxy: with the proxy's
least-connections balancing the two WebSockets land on different processes, which the
staff page /admin/live/ (or each process's /metrics) shows.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".cluster"
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable


def say(message: str) -> None:
    print(f"[cluster] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_taken(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for_port(port: int, timeout: float = 30.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise SystemExit(f"process for port {port} exited with {process.returncode}")
        if port_taken(port):
            return
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on port {port} after {timeout} s")


def pump_output(process: subprocess.Popen, prefix: str) -> None:
    """Print a child's output line by line with its name in front."""

    def run() -> None:
        assert process.stdout is not None
        for line in iter(process.stdout.readline, b""):
            sys.stdout.write(f"[{prefix}] {line.decode(errors='replace')}")
            sys.stdout.flush()

    threading.Thread(target=run, daemon=True).start()


# PostgreSQL ------------------------------------------------------------------------------


class Postgres:
    """A cluster in .cluster/postgres that keeps its data between runs."""

    def __init__(self) -> None:
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
        if not candidates:
            raise SystemExit("PostgreSQL is not installed: sudo apt-get install -y postgresql")
        self.bin = Path(candidates[0]).parent
        self.directory = STATE / "postgres"
        self.data = self.directory / "data"
        self.port = free_port()
        # initdb refuses to run as root: run the cluster as the postgres user then.
        self.as_postgres = os.geteuid() == 0

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        # A session of its own: Ctrl-C in the terminal must not stop the database before the
        # apps have stored what they hold.
        result = subprocess.run(command, capture_output=True, text=True, cwd="/", start_new_session=True)
        if result.returncode != 0:
            raise SystemExit(f"{program} failed:\n{result.stdout}{result.stderr}")

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.as_postgres:
            entry = pwd.getpwnam("postgres")
            os.chown(self.directory, entry.pw_uid, entry.pw_gid)
        if not (self.data / "PG_VERSION").exists():
            say("creating the PostgreSQL cluster in .cluster/postgres")
            self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.directory / "log"), "-w", "start")
        wait_for_port(self.port)
        self._create_database()

    def _create_database(self) -> None:
        import psycopg
        from psycopg import errors

        url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(url, autocommit=True) as conn, contextlib.suppress(errors.DuplicateDatabase):
            conn.execute("CREATE DATABASE collab")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/collab"

    def stop(self) -> None:
        with contextlib.suppress(SystemExit):
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


# Redis -----------------------------------------------------------------------------------


class Redis:
    def __init__(self) -> None:
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(self.binary).exists():
            raise SystemExit("redis-server is not installed: sudo apt-get install -y redis-server")
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        directory = STATE / "redis"
        directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for_port(self.port, process=self.process)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


# The app processes -----------------------------------------------------------------------


def app_environment(postgres: Postgres, redis: Redis) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": postgres.url,
        "REDIS_URL": redis.url,
        "DEBUG": os.environ.get("DEBUG", "1"),
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "plain"),
        "PYTHONUNBUFFERED": "1",
    }


def manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env)
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed")


def start_app(env: dict[str, str], port: int, name: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [PYTHON, "-m", "collab_site.serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env={**env, "PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # Ctrl-C reaches this script only; it stops the apps in order
    )
    pump_output(process, name)
    return process


# The proxy -------------------------------------------------------------------------------


def find_nginx(install: bool) -> str | None:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found or not install:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("nginx is not installed; installing it with apt-get (Debian's package)")
        result = subprocess.run(["apt-get", "install", "-y", "-q", "nginx"], capture_output=True, text=True)
        if result.returncode == 0:
            return shutil.which("nginx") or "/usr/sbin/nginx"
        say("could not install nginx; using the Python proxy")
    return None


def nginx_config(port: int, backends: list[int], prefix: Path) -> str:
    servers = "\n".join(f"        server 127.0.0.1:{backend} max_fails=3 fail_timeout=5s;" for backend in backends)
    return f"""# Generated by deploy/cluster.py; deploy/nginx.conf is the production one.
worker_processes 1;
pid {prefix}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {prefix}/temp/body;
    proxy_temp_path {prefix}/temp/proxy;
    fastcgi_temp_path {prefix}/temp/fastcgi;
    uwsgi_temp_path {prefix}/temp/uwsgi;
    scgi_temp_path {prefix}/temp/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    upstream collab {{
        least_conn;
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 10m;
        location /ws/ {{
            proxy_pass http://collab;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_buffering off;
            proxy_read_timeout 120s;
            proxy_send_timeout 120s;
            proxy_next_upstream error timeout;
        }}
        location / {{
            proxy_pass http://collab;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_read_timeout 60s;
            proxy_next_upstream error timeout;
        }}
    }}
}}
"""


def start_nginx(binary: str, port: int, backends: list[int]) -> subprocess.Popen:
    prefix = STATE / "nginx"
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "temp" / sub).mkdir(parents=True, exist_ok=True)
        # As root, nginx's workers run as nobody: they must be able to write their buffers.
        (prefix / "temp" / sub).chmod(0o777)
    (prefix / "temp").chmod(0o777)
    config = prefix / "nginx.conf"
    config.write_text(nginx_config(port, backends, prefix))
    process = subprocess.Popen(
        [binary, "-p", str(prefix), "-c", str(config), "-g", "daemon off;"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    pump_output(process, "nginx")
    wait_for_port(port, process=process)
    return process


class TcpProxy:
    """Least-connections TCP proxy: each client connection (an HTTP keep-alive connection or a
    WebSocket) goes whole to the backend with the fewest open connections. A backend that
    refuses is skipped."""

    def __init__(self, backends: list[tuple[str, int]]) -> None:
        self.backends = backends
        self.active = dict.fromkeys(backends, 0)
        self.served = dict.fromkeys(backends, 0)

    def _order(self) -> list[tuple[str, int]]:
        return sorted(self.backends, key=lambda backend: (self.active[backend], self.served[backend]))

    async def handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        for backend in self._order():
            try:
                upstream_reader, upstream_writer = await asyncio.wait_for(asyncio.open_connection(*backend), 5)
            except (OSError, TimeoutError):
                continue
            break
        else:
            client_writer.close()
            return
        self.active[backend] += 1
        self.served[backend] += 1
        try:
            await asyncio.gather(self._pipe(client_reader, upstream_writer), self._pipe(upstream_reader, client_writer))
        finally:
            self.active[backend] -= 1

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def serve(self, host: str, port: int, ready: threading.Event | None = None) -> None:
        server = await asyncio.start_server(self.handle, host, port, reuse_address=True)
        if ready is not None:
            ready.set()
        async with server:
            await server.serve_forever()


def start_python_proxy(port: int, backends: list[int]) -> threading.Thread:
    proxy = TcpProxy([("127.0.0.1", backend) for backend in backends])
    ready = threading.Event()
    thread = threading.Thread(target=lambda: asyncio.run(proxy.serve("127.0.0.1", port, ready)), daemon=True)
    thread.start()
    if not ready.wait(10):
        raise SystemExit(f"the Python proxy could not listen on port {port}")
    return thread


# Putting it together ---------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=int(os.environ.get("CLUSTER_PROCESSES", "2")))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")), help="The proxy's port.")
    parser.add_argument("--first-app-port", type=int, default=int(os.environ.get("CLUSTER_APP_PORT", "8001")))
    parser.add_argument("--proxy", choices=["auto", "nginx", "python"], default=os.environ.get("CLUSTER_PROXY", "auto"))
    args = parser.parse_args()

    app_ports = [args.first_app_port + i for i in range(args.processes)]
    for port in [args.port, *app_ports]:
        if port_taken(port):
            raise SystemExit(f"port {port} is in use (set PORT / CLUSTER_APP_PORT, or stop what uses it)")
    STATE.mkdir(exist_ok=True)
    (STATE / ".gitignore").write_text("*\n")

    postgres, redis = Postgres(), Redis()
    apps: list[subprocess.Popen] = []
    nginx: subprocess.Popen | None = None
    stopping = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        say(f"starting PostgreSQL on port {postgres.port} and Redis on port {redis.port}")
        postgres.start()
        redis.start()
        env = app_environment(postgres, redis)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "ensure_dev_account", "--url", f"http://127.0.0.1:{args.port}")
        for index, port in enumerate(app_ports, start=1):
            apps.append(start_app(env, port, f"app{index}"))
        for process, port in zip(apps, app_ports, strict=True):
            wait_for_port(port, 60, process)
        binary = None if args.proxy == "python" else find_nginx(install=True)
        if args.proxy == "nginx" and binary is None:
            raise SystemExit("nginx is not available")
        if binary:
            nginx = start_nginx(binary, args.port, app_ports)
            proxy_name = f"nginx ({binary})"
        else:
            start_python_proxy(args.port, app_ports)
            proxy_name = "the Python proxy"
        lines = [
            "",
            f"  Proxy ({proxy_name}):  http://127.0.0.1:{args.port}/",
            *(
                f"  Process app{i}:  http://127.0.0.1:{port}/   metrics: http://127.0.0.1:{port}/metrics"
                for i, port in enumerate(app_ports, start=1)
            ),
            f"  Load per process (staff):  http://127.0.0.1:{args.port}/admin/live/",
            f"  PostgreSQL: {postgres.url}   Redis: {redis.url}",
            "  Ctrl-C stops everything.",
            "",
        ]
        print("\n".join(lines), flush=True)
        while not stopping.is_set():
            for index, process in enumerate(apps, start=1):
                if process.poll() is not None:
                    say(f"app{index} exited with {process.returncode}; stopping")
                    stopping.set()
            stopping.wait(0.5)
    finally:
        say("stopping")
        for process in apps:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for index, process in enumerate(apps, start=1):
            try:
                code = process.wait(30)
                say(f"app{index} exited with {code}")
            except subprocess.TimeoutExpired:
                process.kill()
        if nginx is not None and nginx.poll() is None:
            nginx.send_signal(signal.SIGQUIT)  # graceful: let open connections finish
            try:
                nginx.wait(10)
            except subprocess.TimeoutExpired:
                nginx.kill()
        redis.stop()
        postgres.stop()
        say("stopped")


if __name__ == "__main__":
    main()
