"""The rate limit per token (`API_RATE_LIMIT`, e.g. "600/hour"), counted in the `API_THROTTLE_CACHE` cache: Redis
when `REDIS_URL` is set, so that every web process counts together. Past it: 429 with `Retry-After`."""

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api_token"

    def __init__(self):
        self.cache = caches[settings.API_THROTTLE_CACHE]
        super().__init__()

    def get_rate(self):
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view):
        token = request.auth
        if token is None:  # no token: the request is refused before any work (401)
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.prefix}
