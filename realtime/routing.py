"""WebSocket routes, behind the Origin check."""

from channels.routing import URLRouter
from django.urls import path, re_path

from realtime.consumers import PageConsumer, UnknownPathConsumer
from realtime.origin import OriginCheck

websocket_application = OriginCheck(
    URLRouter(
        [
            path("ws/pages/<uuid:page_id>", PageConsumer.as_asgi()),
            re_path(r"", UnknownPathConsumer.as_asgi()),
        ]
    )
)
