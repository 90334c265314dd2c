"""The client's address and per-address rate limits, shared by every app (bottom layer).

``client_address`` is the one answer to "who is asking": django-axes' lockouts
(``AXES_CLIENT_IP_CALLABLE``), the registry's API throttle and the limits below all use it.
``X-Forwarded-For`` is trusted only for as many hops as ``settings.NUM_PROXIES`` says (the
reverse proxies we run, see ``deploy/nginx.conf``): with 0 it is ignored, so a client cannot
pick its own bucket; behind one proxy the last hop that proxy appended is the client, so one
person behind the proxy cannot lock out or throttle everybody else.

``rate_limited(scope, setting)`` wraps a view: over ``N/period`` requests (``"10/hour"``) from one
address in one window the answer is HTTP 429 with ``Retry-After`` and an Indonesian message
(JSON for the API, the ``429.html`` page otherwise).
"""

import functools
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def client_address(request: HttpRequest) -> str:
    """The address of the client, as far as our own proxies (``NUM_PROXIES``) vouch for it."""
    remote = request.META.get("REMOTE_ADDR") or ""
    proxies = settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote
    # Each trusted proxy appended the address it saw; the one our outermost proxy appended is
    # the client. Anything further left came from the client and may be made up.
    return hops[-min(proxies, len(hops))]


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/hour"`` → (10, 3600): requests allowed and the window in seconds."""
    count, _slash, period = rate.partition("/")
    return int(count), _PERIODS[period.strip()[:1].lower()]


def seconds_to_wait(request: HttpRequest, *, scope: str, rate: str) -> int | None:
    """Count this request; ``None`` while the address is within ``rate``, else the seconds until
    its window ends. A fixed window per (scope, address) in the default cache."""
    limit, window = parse_rate(rate)
    now = time.time()
    start = int(now // window) * window
    key = f"throttle:{scope}:{client_address(request)}:{start}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    if count <= limit:
        return None
    return max(1, math.ceil(start + window - now))


def too_many_requests(request: HttpRequest, wait: int, *, json: bool = False) -> HttpResponse:
    """HTTP 429 with ``Retry-After``: the message says how long to wait."""
    message = _("Terlalu banyak permintaan dari alamat Anda. Coba lagi dalam %(wait)d detik.") % {
        "wait": wait
    }
    if json:
        response = JsonResponse(
            {
                "error": message,
                "error_en": f"Too many requests from your address. Try again in {wait} seconds.",
                "field": None,
            },
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = HttpResponse(
            render_to_string("429.html", {"wait": wait, "message": message}, request=request),
            status=429,
        )
    response["Retry-After"] = str(wait)
    return response


def rate_limited(scope: str, rate_setting: str, *, methods=("POST",), json: bool = False):
    """Limit a view per client address to ``getattr(settings, rate_setting)`` for ``methods``.

    The rate is read at request time, so an operator's setting (and a test's) applies at once.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in methods:
                rate = getattr(settings, rate_setting)
                wait = seconds_to_wait(request, scope=scope, rate=rate)
                if wait is not None:
                    return too_many_requests(request, wait, json=json)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
