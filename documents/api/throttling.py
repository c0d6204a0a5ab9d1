"""REST rate limits that fail open: an unreachable cache must not turn every request into a 500."""

import logging

from rest_framework import throttling
from rest_framework.settings import api_settings

logger = logging.getLogger(__name__)


class _FailOpen:
    def get_rate(self) -> str | None:
        # Read the rate now, not at import, so that changed settings apply.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)  # type: ignore[attr-defined]

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)  # type: ignore[misc]
        except Exception as error:
            logger.warning("rate limit not checked, the cache is unreachable: %s", error.__class__.__name__)
            return True


class UserRateThrottle(_FailOpen, throttling.UserRateThrottle):
    pass


class AnonRateThrottle(_FailOpen, throttling.AnonRateThrottle):
    pass
