"""ASGI entry point: HTTP goes to Django, WebSockets to the realtime app.

Run with `uvicorn collab_site.asgi:application` or `daphne collab_site.asgi:application`.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab_site.settings")
# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from collab_site.ops import OpsEndpoints  # noqa: E402
from realtime.lifespan import LifespanApp  # noqa: E402
from realtime.routing import websocket_application  # noqa: E402

application = ProtocolTypeRouter(
    {
        # /healthz, /readyz and /metrics are answered before Django; the rest goes to Django.
        "http": OpsEndpoints(django_asgi_app),
        "websocket": websocket_application,
        "lifespan": LifespanApp(),
    }
)
