"""``POST /api/v1/calculator/``: the ``tkdn_calculate`` command as a JSON endpoint.

Same contract as the command: the input schema of ``calculation.parse_input`` in, the output of
``calculation.result_to_dict`` out. Any invalid input answers HTTP 400 with the command's error
body ``{"error": <Indonesian>, "error_en": <English>, "field": <path or null>}``; a wrong method,
content type or size answers 405/415/413 with the same body. Nothing is stored, so the endpoint
needs no login and no CSRF token (there is no session state to forge a request against).
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from tkdnportal.throttling import rate_limited

from . import calculation, rules
from .management.commands.tkdn_calculate import InputError, decode_json

#: [A] One product's cost lines fit in a few kilobytes; larger bodies are refused unread.
MAX_BODY_BYTES = 64 * 1024


def _error(status: int, message_id: str, message_en: str, field: str | None = None):
    return JsonResponse(
        {"error": message_id, "error_en": message_en, "field": field},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


@csrf_exempt
@never_cache
@rate_limited("calculator-api", "CALCULATOR_API_RATE", methods=("POST",), json=True)
def calculator(request: HttpRequest) -> JsonResponse:
    """Compute TKDN-IK from a JSON body (see the module docstring for the contract)."""
    if request.method != "POST":
        response = _error(
            405,
            "Gunakan metode POST dengan badan JSON.",
            "Use the POST method with a JSON body.",
        )
        response["Allow"] = "POST"
        return response
    content_type = request.content_type or ""
    if content_type != "application/json":
        return _error(
            415,
            "Content-Type harus application/json.",
            "Content-Type must be application/json.",
        )
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        return _error(
            413,
            f"Badan permintaan terlalu besar (lebih dari {MAX_BODY_BYTES} byte).",
            f"Request body is too large (more than {MAX_BODY_BYTES} bytes).",
        )
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return _error(
            413,
            f"Badan permintaan terlalu besar (lebih dari {MAX_BODY_BYTES} byte).",
            f"Request body is too large (more than {MAX_BODY_BYTES} bytes).",
        )
    try:
        data = decode_json(body)
        inp, rule_set = calculation.parse_input(
            data, default_rule_set=rules.in_force(), registry=rules.registry()
        )
        result = calculation.calculate(inp, rule_set)
    except calculation.CalculationError as error:
        return _error(400, error.message_id, error.message_en, error.field or None)
    except InputError as error:
        return _error(400, error.message_id, error.message_en)
    except RecursionError:
        return _error(400, "Input terlalu dalam bersarang.", "Input is nested too deeply.")
    return JsonResponse(
        calculation.result_to_dict(result), json_dumps_params={"ensure_ascii": False}
    )
