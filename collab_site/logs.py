"""Logging: JSON lines in production, readable lines in development, never a secret.

Every line carries the page, connection and user it is about when there is one: the
realtime code binds them to the running task with `bind_log_context()` (a contextvar, so
tasks started from a connection inherit it) or passes them in `extra=`. Query-string values
of tickets and tokens are blanked out of every line: uvicorn prints the full request path
(with its query string) for each WebSocket it accepts, and for each request in its access log.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import socket
import time
from typing import Any

CONTEXT_FIELDS = ("page_id", "conn_id", "user_id")

_context: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("log_context", default={})  # noqa: B039


def bind_log_context(**fields: Any) -> None:
    """Attach fields (page_id, conn_id, user_id) to every log line of the current task."""
    _context.set({**_context.get(), **fields})


def log_context() -> dict[str, Any]:
    return dict(_context.get())


def context_with(**fields: Any) -> contextvars.Context:
    """A fresh context holding only these log fields, for tasks that must not inherit another's."""
    context = contextvars.Context()
    context.run(_context.set, dict(fields))
    return context


class ContextFilter(logging.Filter):
    """Copy the bound log fields onto each record (fields passed in `extra=` win)."""

    def filter(self, record: logging.LogRecord) -> bool:
        bound = _context.get()
        parts = []
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is None:
                value = bound.get(name)
                setattr(record, name, value)
            if value is not None:
                parts.append(f"{name.removesuffix('_id')}={value}")
        record.context = f" [{' '.join(parts)}]" if parts else ""
        return True


# Query parameters whose values never reach a log: one-time WebSocket tickets, API tokens.
SECRET_PARAMETERS = ("ticket", "token", "access_token", "api_key", "key", "password", "secret", "sessionid")
_SECRET_QUERY = re.compile(r"(?i)([?&;](?:" + "|".join(SECRET_PARAMETERS) + r")=)[^&;#\s\"']*")
_SECRET_HEADER = re.compile(r"(?i)(\b(?:authorization|cookie)\b[\"']?\s*[:=]\s*[\"']?)[^\"'\n]+")
REDACTED = "[redacted]"
# websockets' debug log of each frame ("< BINARY 00 02 35 ... [56 bytes]") shows the payload:
# document content. Keep the direction, type and size only.
_FRAME_DUMP = re.compile(r"^([<>] (?:BINARY|TEXT|CONT)) .*(\[[^\[\]]*\bbytes?\b[^\[\]]*\])$", re.DOTALL)


def redact(text: str) -> str:
    """Blank out secret query-string values, Authorization/Cookie header values, frame payloads."""
    if text[:2] in ("< ", "> "):
        text = _FRAME_DUMP.sub(r"\1 \2", text)
    if "=" not in text and ":" not in text:
        return text
    text = _SECRET_QUERY.sub(lambda m: m.group(1) + REDACTED, text)
    return _SECRET_HEADER.sub(lambda m: m.group(1) + REDACTED, text)


class RedactSecrets(logging.Filter):
    """Rewrite a record's message with its secrets blanked out (uvicorn logs full paths)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


class QuietSocketAccepts(logging.Filter):
    """Drop uvicorn's line per accepted WebSocket (it is an access log line, at INFO).

    Thousands of clients reconnecting after a restart would write thousands of them; with
    ACCESS_LOG=1 they are kept, like the HTTP access log.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "[accepted]" not in str(record.msg)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the context fields, the error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.host = socket.gethostname()

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "host": self.host,
            "pid": record.process,
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["error"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["error"] = redact(record.exc_text)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(*, json_lines: bool, level: str = "INFO", access_log: bool = False) -> dict[str, Any]:
    """The LOGGING setting; also handed to uvicorn so its own lines take the same shape.

    uvicorn's access log is on only with `access_log`: uvicorn decides per connection by
    whether its logger has handlers, and Django configures logging after uvicorn did.
    """
    formatter = (
        {"()": "collab_site.logs.JsonFormatter"}
        if json_lines
        else {"format": "%(asctime)s %(levelname)s %(name)s %(message)s%(context)s"}
    )
    server_logger = {"handlers": ["console"], "level": level, "propagate": False}
    return {
        "version": 1,
        # Keep uvicorn's and daphne's own loggers: without this their tracebacks vanish.
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "collab_site.logs.ContextFilter"},
            "redact": {"()": "collab_site.logs.RedactSecrets"},
            "quiet_sockets": {"()": "collab_site.logs.QuietSocketAccepts"},
        },
        "formatters": {"default": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["context", "redact"],
                "stream": "ext://sys.stdout" if json_lines else "ext://sys.stderr",
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's default config gives "django" its own handlers; route it through ours.
            "django": {"handlers": ["console"], "level": level, "propagate": False},
            "django.db.backends": {"level": "WARNING"},
            "uvicorn": server_logger,
            "uvicorn.error": {"level": level, "filters": [] if access_log else ["quiet_sockets"]},
            "uvicorn.access": server_logger if access_log else {"handlers": [], "propagate": False},
            "daphne": server_logger,
        },
    }


def log_format_is_json(debug: bool) -> bool:
    """LOG_FORMAT=json or plain; JSON by default when DEBUG is off."""
    chosen = os.environ.get("LOG_FORMAT", "").strip().lower()
    if chosen in {"json", "plain", "text"}:
        return chosen == "json"
    return not debug
