"""The error table: every way a Tiendanube call fails, as a ConnectorError with a DESIGN cause.

Tiendanube answers errors in three shapes — ``{code, message, description}`` (most of the
API), ``{description, message}`` / ``{description, messages: {field: [...]}}`` (fulfillment
orders) and ``{field: [messages]}`` (422) — plus ``{"error": "Problems parsing JSON"}``.
``error_text`` reads them all. Messages and details never carry a token (the transport
redacts them).
"""
from __future__ import annotations

import re

import requests

from connectors.base import (CONNECTION, INVALID_DATA, RATE_LIMITED, STORE_CONFIGURATION, STORE_SERVER,
                             TOKEN_EXPIRED, ConnectorError)
from connectors.retry_after import capped_wait, parse_retry_after

MIN_RATE_WAIT = 0.5  # seconds: one request's worth of the bucket at 2 per second

HTTP_STATUS = {
    401: (TOKEN_EXPIRED, "Tiendanube refused ShipSync's access token (the app was installed again, or "
                         "uninstalled): the merchant must re-authorize ShipSync from the Tiendanube admin"),
    402: (STORE_CONFIGURATION, "Tiendanube suspended API access for an unpaid bill (402): the merchant must "
                               "settle the store's or the app's bill, then sync again"),
    403: (STORE_CONFIGURATION, "Tiendanube denied access (403): re-install ShipSync so it gets the order "
                               "permissions, then sync again"),
    415: (INVALID_DATA, "Tiendanube refused a request without a JSON Content-Type (415)"),
    429: (RATE_LIMITED, "Tiendanube asked ShipSync to slow down (429)"),
}

# Fulfillment-order refusals that describe the store's state, not our data: the merchant can act.
STATE_PATTERNS = (
    (re.compile(r"cancel", re.I),
     "This order was cancelled in Tiendanube, so its shipments cannot be dispatched: void the label."),
    (re.compile(r"transition|can no longer be changed|delivered", re.I),
     "Tiendanube does not allow this shipment to be dispatched from its current state (it may be delivered, "
     "ready for pickup or not shippable): check the shipment in the Tiendanube admin."),
)


def from_exception(exc: requests.RequestException, timeout: float) -> ConnectorError:
    if isinstance(exc, requests.Timeout):
        return ConnectorError(CONNECTION, f"Tiendanube did not answer within {timeout:g} s", detail=type(exc).__name__)
    return ConnectorError(CONNECTION, "Could not reach Tiendanube (connection failed)", detail=type(exc).__name__)


def from_response(response: requests.Response, action: str) -> ConnectorError:
    status = response.status_code
    text, detail = error_text(response), f"{action}: HTTP {status}: {snippet(response)}"
    if status in HTTP_STATUS:
        cause, message = HTTP_STATUS[status]
        wait = rate_wait(response) if status == 429 else None
        return ConnectorError(cause, message, http_status=status, retry_after=wait, detail=detail)
    if status >= 500:
        return ConnectorError(STORE_SERVER, f"Tiendanube had a server error ({status})", http_status=status,
                              retry_after=parse_retry_after(response.headers.get("Retry-After")), detail=detail)
    if status == 404:
        return ConnectorError(INVALID_DATA, f"Tiendanube could not find what ShipSync asked for ({text or 404})",
                              http_status=status, detail=detail)
    if status == 400 and _is_fulfillment_refusal(response):
        for pattern, advice in STATE_PATTERNS:
            if pattern.search(text):
                return ConnectorError(STORE_CONFIGURATION, advice, http_status=status, detail=detail)
    return ConnectorError(INVALID_DATA, f"Tiendanube refused to {action}: {text or status}"[:300],
                          http_status=status, detail=detail)


def not_json(response: requests.Response, action: str) -> ConnectorError:
    return ConnectorError(STORE_SERVER, "Tiendanube answered with something other than JSON (an error page?)",
                          http_status=response.status_code, detail=f"{action}: {snippet(response)}")


def error_text(response: requests.Response) -> str:
    """The human part of any of Tiendanube's error shapes ('' when there is none)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    if isinstance(body.get("messages"), dict):
        return _fields(body["messages"])
    for key in ("message", "description", "error_description", "error"):
        value = body.get(key)
        if isinstance(value, str) and value and value not in ("Bad Request", "Not Found"):
            return value
    if body and all(isinstance(v, list) for v in body.values()):
        return _fields(body)
    return str(body.get("description") or body.get("message") or "")


def _fields(fields: dict) -> str:
    return "; ".join(f"{name}: {', '.join(map(str, messages))}" for name, messages in fields.items())


def _is_fulfillment_refusal(response: requests.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and "message" in body and "messages" not in body


def rate_wait(response: requests.Response) -> float:
    """How long the store asks us to wait: ``Retry-After`` if ever sent, else ``x-rate-limit-reset``
    (milliseconds), never less than one request's share of the bucket."""
    header = parse_retry_after(response.headers.get("Retry-After"))
    if header is not None:
        return max(MIN_RATE_WAIT, header)
    try:
        reset = capped_wait(float(response.headers.get("x-rate-limit-reset", "")) / 1000.0)
    except ValueError:
        reset = None
    return max(MIN_RATE_WAIT, reset or 0.0)


def snippet(response: requests.Response) -> str:
    return (response.text or "").strip().replace("\n", " ")[:200]
