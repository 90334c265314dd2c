"""Per-client-address rate limit of the public registry (pages and API share one budget).

A token bucket per address in the cache (DRF's SimpleRateThrottle), rate from the setting
``REGISTRY_API_RATE``; the client's address is ``tkdnportal.throttling.client_address`` (behind a
proxy, ``NUM_PROXIES`` says how many X-Forwarded-For hops to trust). Over the limit the
answer is HTTP 429 with ``Retry-After``.
"""

import functools
import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from rest_framework.throttling import SimpleRateThrottle

from tkdnportal.throttling import client_address


class ClientAddressThrottle(SimpleRateThrottle):
    scope = "registry"

    def get_rate(self) -> str:
        # Read at request time (not at import), so the setting can change without a restart
        # of the class attribute and tests can override it.
        return settings.REGISTRY_API_RATE

    def get_ident(self, request) -> str:
        # One notion of "the client" for lockouts and every limit (DRF's request wraps Django's).
        return client_address(getattr(request, "_request", request))

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def throttle_response(request: HttpRequest) -> HttpResponse | None:
    """``None`` when the client may go on, else the 429 page with Retry-After."""
    throttle = ClientAddressThrottle()
    if throttle.allow_request(request, None):
        return None
    wait = math.ceil(throttle.wait() or 1)
    response = HttpResponse(
        render_to_string("registry/429.html", {"wait": wait}, request=request), status=429
    )
    response["Retry-After"] = str(wait)
    return response


def throttled(view):
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return throttle_response(request) or view(request, *args, **kwargs)

    return wrapper
