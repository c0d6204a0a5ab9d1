"""The server side of RFC 6455 for uvicorn: its `ws` protocol class (collab_site/serve.py).

uvicorn's own WebSocket protocols write the upgrade request its HTTP parser has just read back
out as bytes for the websockets library to parse again, build that library's protocol object
for each connection and frame every outgoing message through it. This protocol answers the
request from its lines, reads frames with a few struct calls and websockets' C unmasking
(frames.py), and frames a fan-out's message once for every socket it goes to
(`binary_frame`, `WebSocketProtocol.write_binary`).

What it speaks: binary and text messages, fragmented or not, up to uvicorn's `ws_max_size`
(1009 past it); ping, pong and close, with the closing handshake; keep-alive pings every
`ws_ping_interval`, the connection dropped after `ws_ping_timeout` without a pong (1011).
Protocol violations close with 1002 (1007 for text that is not UTF-8). No extensions: with
WS_COMPRESSION=1 the server runs uvicorn's websockets-sansio protocol instead. The ASGI side
is the WebSocket spec (2.4) without the `websocket.http.response` extension: an application
that closes before accepting refuses the handshake with HTTP 403.
"""

from realtime.wsserver.frames import binary_frame
from realtime.wsserver.server import WebSocketProtocol, direct_writer

__all__ = ["WebSocketProtocol", "binary_frame", "direct_writer"]
