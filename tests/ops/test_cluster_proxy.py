"""The Python reverse proxy of `make run-cluster` (used when nginx is not available)."""

import asyncio
import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.servers import free_port

_spec = importlib.util.spec_from_file_location("cluster", Path(__file__).parents[2] / "deploy" / "cluster.py")
cluster = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cluster)


async def _backend(name: bytes) -> tuple[asyncio.Server, int]:
    """A server that answers each line with its name and the line: like a long-lived socket."""

    async def handle(reader, writer):
        while line := await reader.readline():
            writer.write(name + b":" + line)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def _ask(port: int, text: bytes) -> tuple[asyncio.StreamWriter, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(text + b"\n")
    await writer.drain()
    return writer, await asyncio.wait_for(reader.readline(), 5)


async def test_long_lived_connections_spread_over_the_backends_and_skip_a_dead_one():
    """Each new connection goes to the backend with the fewest open ones, bytes flow both
    ways, and a backend that refuses connections is passed over."""
    (one, one_port), (two, two_port) = await _backend(b"one"), await _backend(b"two")
    dead_port = free_port()
    proxy = cluster.TcpProxy([("127.0.0.1", dead_port), ("127.0.0.1", one_port), ("127.0.0.1", two_port)])
    port = free_port()
    serving = asyncio.create_task(proxy.serve("127.0.0.1", port))
    await asyncio.sleep(0.1)
    try:
        first, first_answer = await _ask(port, b"hello")
        second, second_answer = await _ask(port, b"hello")
        assert sorted([first_answer, second_answer]) == [b"one:hello\n", b"two:hello\n"]
        first.close()
        second.close()
    finally:
        serving.cancel()
        one.close()
        two.close()


def test_generated_nginx_config_balances_websockets_over_every_process(tmp_path):
    """The generated config upgrades WebSockets and lists every app process."""
    config = cluster.nginx_config(8000, [8001, 8002, 8003], tmp_path)
    assert "least_conn;" in config
    for port in (8001, 8002, 8003):
        assert f"server 127.0.0.1:{port}" in config
    assert "proxy_set_header Upgrade $http_upgrade;" in config
    assert "proxy_read_timeout 120s;" in config


def _nginx_t(config: Path) -> subprocess.CompletedProcess:
    return subprocess.run([NGINX, "-t", "-p", str(config.parent), "-c", str(config)], capture_output=True, text=True)


NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed")
def test_nginx_configs_pass_nginx_t(tmp_path):
    """deploy/nginx.conf (with its compose host names made local) and the generated cluster
    config are accepted by `nginx -t`."""
    production = (Path(__file__).parents[2] / "deploy" / "nginx.conf").read_text()
    production = production.replace("app1:8000", "127.0.0.1:18001").replace("app2:8000", "127.0.0.1:18002")
    production = production.replace("listen 80;", "listen 127.0.0.1:18080;")
    production = production.replace("/var/log/nginx/access.log", str(tmp_path / "access.log"))
    (tmp_path / "prod").mkdir()
    (tmp_path / "prod" / "nginx.conf").write_text(f"error_log stderr;\npid {tmp_path}/prod/nginx.pid;\n" + production)
    result = _nginx_t(tmp_path / "prod" / "nginx.conf")
    assert result.returncode == 0, result.stderr

    (tmp_path / "gen").mkdir()
    (tmp_path / "gen" / "nginx.conf").write_text(cluster.nginx_config(18090, [18001, 18002], tmp_path / "gen"))
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / "gen" / "temp" / sub).mkdir(parents=True)
    result = _nginx_t(tmp_path / "gen" / "nginx.conf")
    assert result.returncode == 0, result.stderr
