"""Start the ASGI server the way production and `make run` do: `python -m collab_site.serve`.

uvicorn with uvloop, httptools and our own WebSocket protocol (realtime/wsserver): on a
prototype of this design uvicorn kept pace with the Node reference server, where daphne was
4.5x slower. With WS_COMPRESSION=1 uvicorn's sans-I/O websockets protocol serves instead,
since ours speaks no extensions.

On SIGTERM (see realtime/lifespan.py for what uvicorn 0.54 does by itself and why we step in
first): the Hub closes every WebSocket with 1012 (service restart) and waits for the close
handshakes, so clients reconnect to another process at once; then uvicorn closes its
listening socket, waits up to GRACEFUL_SHUTDOWN_SECONDS for HTTP requests in flight and runs
the lifespan shutdown, where the Hub stores every pending update and compacts its rooms. The
process then exits with status 0.
"""

import argparse
import copy
import logging
import os
import resource
import signal
import sys
from types import FrameType

import uvicorn


def raise_file_limit() -> None:
    """Each WebSocket is a file descriptor: lift the soft limit to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 1 << 20, hard))


def exit_cleanly(signum: int, frame: FrameType | None) -> None:
    """SIGTERM (or Ctrl-C) before uvicorn handles signals, and the signal uvicorn raises again
    once it has shut down gracefully: a requested stop is a success (exit 0), not death by
    signal (143).

    By then the Hub has stored and compacted everything; the interpreter's own teardown of
    its modules adds nothing but seconds on a busy machine, so it is skipped.
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")))
    parser.add_argument("--access-log", action="store_true", default=os.environ.get("ACCESS_LOG") == "1")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab_site.settings")
    if args.access_log:
        os.environ["ACCESS_LOG"] = "1"  # read by the LOGGING setting
    # Shown on the staff load page, to tell the processes apart.
    os.environ.setdefault("COLLAB_SERVER_ADDRESS", f"{args.host}:{args.port}")
    raise_file_limit()
    signal.signal(signal.SIGTERM, exit_cleanly)
    signal.signal(signal.SIGINT, exit_cleanly)
    from django.conf import settings

    from realtime.wsserver import WebSocketProtocol

    max_message = int(os.environ.get("REALTIME_MAX_MESSAGE_BYTES", 8 * 1024 * 1024))
    # Off unless WS_COMPRESSION=1, as in the y-websocket server and Hocuspocus: Yjs updates
    # are small binary frames that barely compress, each compressing connection keeps about
    # 40 KB of zlib state, and a compressed frame cannot be framed once for a whole room.
    compression = os.environ.get("WS_COMPRESSION") == "1"
    uvicorn.run(
        "collab_site.asgi:application",
        host=args.host,
        port=args.port,
        workers=args.workers,
        loop="uvloop",
        http="httptools",
        ws="websockets-sansio" if compression else WebSocketProtocol,
        # Frames a little over our own limit still reach the consumer, which closes them with
        # 4413; far bigger ones are cut by uvicorn before they are buffered.
        ws_max_size=max_message + 1024 * 1024,
        ws_per_message_deflate=compression,
        ws_ping_interval=20.0,
        ws_ping_timeout=20.0,
        lifespan="on",
        # uvicorn's lines in the same format (JSON in production) and through the same filter
        # that blanks out tickets and tokens in the paths it logs. A copy: dictConfig consumes
        # parts of the dict it is given, and Django configures logging again from the original.
        log_config=copy.deepcopy(settings.LOGGING),
        access_log=args.access_log,
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        timeout_graceful_shutdown=float(os.environ.get("GRACEFUL_SHUTDOWN_SECONDS", "10")),
    )


if __name__ == "__main__":
    main()
