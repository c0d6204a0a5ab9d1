"""The logging pieces on their own: redaction, the context filter, the JSON formatter."""

import asyncio
import io
import json
import logging

import pytest

from collab_site.logs import (
    ContextFilter,
    JsonFormatter,
    RedactSecrets,
    bind_log_context,
    context_with,
    logging_config,
    redact,
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            '127.0.0.1:5 - "WebSocket /ws/pages/p?ticket=abc.DEF-123" [accepted]',
            '127.0.0.1:5 - "WebSocket /ws/pages/p?ticket=[redacted]" [accepted]',
        ),
        (
            '"GET /api/pages/?search=x&token=t0k&page=2 HTTP/1.1" 200',
            '"GET /api/pages/?search=x&token=[redacted]&page=2 HTTP/1.1" 200',
        ),
        ("GET /x?TICKET=abc;sessionid=s1", "GET /x?TICKET=[redacted];sessionid=[redacted]"),
        ("< cookie: sessionid=abc; csrftoken=def", "< cookie: [redacted]"),
        ("< authorization: Token 0123456789abcdef", "< authorization: [redacted]"),
        ("< BINARY 00 02 35 01 65 72 20 70 [56 bytes]", "< BINARY [56 bytes]"),
        ("> BINARY 'the plan' [text, 8 bytes]", "> BINARY [text, 8 bytes]"),
        ("< CLOSE 1000 (OK) [2 bytes]", "< CLOSE 1000 (OK) [2 bytes]"),
        ("/ws/pages/p?search=ticket", "/ws/pages/p?search=ticket"),
    ],
)
def test_redact_blanks_secrets_and_frame_payloads(line, expected):
    """Ticket and token query values, cookies, Authorization headers and frame payloads go."""
    assert redact(line) == expected


def _capture(formatter: logging.Formatter) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactSecrets())
    handler.setFormatter(formatter)
    logger = logging.getLogger("tests.ops.capture")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, stream


def test_json_lines_carry_the_bound_context_and_no_secret():
    """A bound page/connection/user shows on each line; `extra=` wins; args are redacted."""
    logger, stream = _capture(JsonFormatter())

    async def connection_task():
        bind_log_context(page_id="p-1", conn_id=7, user_id=3)
        logger.info("accepted %s", "/ws/pages/p-1?ticket=s3cret")
        logger.info("other page", extra={"page_id": "p-2"})

    asyncio.run(connection_task())
    logger.info("no context here")
    first, second, third = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "accepted /ws/pages/p-1?ticket=[redacted]"
    assert (first["page_id"], first["conn_id"], first["user_id"]) == ("p-1", 7, 3)
    assert second["page_id"] == "p-2"
    assert second["conn_id"] == 7
    assert "page_id" not in third
    assert third["level"] == "INFO"
    assert third["logger"] == "tests.ops.capture"


def test_tasks_in_a_fresh_context_do_not_inherit_a_connection():
    """Hub tasks started from a connection's task get a context of their own."""
    logger, stream = _capture(logging.Formatter("%(message)s%(context)s"))

    async def main():
        bind_log_context(page_id="p-1", conn_id=7, user_id=3)
        await asyncio.get_running_loop().create_task(asyncio.sleep(0), context=context_with())
        task = asyncio.get_running_loop().create_task(_log(logger), context=context_with(page_id="p-9"))
        await task

    asyncio.run(main())
    assert stream.getvalue().strip() == "room work [page=p-9]"


async def _log(logger):
    logger.info("room work")


def test_logging_config_formats_and_access_log():
    """JSON or plain text by flag; uvicorn's access log only when asked for."""
    quiet = logging_config(json_lines=True)
    assert quiet["formatters"]["default"] == {"()": "collab_site.logs.JsonFormatter"}
    assert quiet["loggers"]["uvicorn.access"] == {"handlers": [], "propagate": False}
    loud = logging_config(json_lines=False, access_log=True)
    assert "%(context)s" in loud["formatters"]["default"]["format"]
    assert loud["loggers"]["uvicorn.access"]["handlers"] == ["console"]
    assert loud["disable_existing_loggers"] is False
