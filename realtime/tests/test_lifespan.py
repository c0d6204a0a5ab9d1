"""Shutdown on SIGTERM: the Hub closes WebSockets with 1012 before the server's own handler runs."""

import asyncio
import signal

import pytest

from realtime import lifespan

pytestmark = pytest.mark.django_db(transaction=True)


class Calls(list):
    """The signals the stand-in server handler got; `called` is set on the first."""

    def __init__(self) -> None:
        super().__init__()
        self.called = asyncio.Event()

    def __call__(self, number: int, frame: object) -> None:
        self.append(number)
        self.called.set()


@pytest.fixture
def server_handler():
    """A stand-in for uvicorn's signal handler, removed again after the test."""
    calls = Calls()
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    for signum in previous:
        signal.signal(signum, calls)
    yield calls
    for signum, handler in previous.items():
        signal.signal(signum, handler)


async def test_sigterm_closes_connections_with_1012_then_hands_over(
    hub, connect, page, user, server_handler, monkeypatch
):
    """The first SIGTERM marks the process as stopping, closes every connection with 1012 and
    then calls the server's handler; new connections are refused with 1012 meanwhile."""
    monkeypatch.setattr(lifespan, "CLOSE_WAIT_SECONDS", 5)
    client = await connect(page, user)
    lifespan.close_before_server_shutdown(hub)
    signal.getsignal(signal.SIGTERM)(signal.SIGTERM, None)
    assert hub.stopping
    late = await connect(page, user, sync=False)
    await late.pump()
    assert late.close_code == 1012
    await client.pump(0.5)
    assert client.close_code == 1012
    assert server_handler == [], "the server's shutdown waits for the close handshake"
    await client.communicator.send_input({"type": "websocket.disconnect", "code": 1012})  # the client's answer
    await asyncio.wait_for(server_handler.called.wait(), 2)
    assert server_handler == [signal.SIGTERM]


async def test_a_second_signal_goes_to_the_server_at_once(hub, server_handler, monkeypatch):
    """Ctrl-C twice (or SIGTERM then SIGINT): the second is not delayed by the close."""
    monkeypatch.setattr(lifespan, "CLOSE_WAIT_SECONDS", 5)
    lifespan.close_before_server_shutdown(hub)
    hub.stopping = True  # the first signal is being handled
    signal.getsignal(signal.SIGINT)(signal.SIGINT, None)
    assert server_handler == [signal.SIGINT]
