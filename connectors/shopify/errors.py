"""The error table: every way a Shopify call fails, as a ConnectorError with a DESIGN cause.

One place decides what is transient (connection, rate_limited, store_server), what the
engine fixes by refreshing (token_expired), what the merchant must fix in Shopify
(store_configuration, with a message saying what to do) and what is our data's fault
(invalid_data). Messages and details never carry a token: the transport redacts them.
"""
from __future__ import annotations

import re

import requests

from connectors.base import (CONNECTION, INVALID_DATA, RATE_LIMITED, STORE_CONFIGURATION, STORE_SERVER,
                             TOKEN_EXPIRED, ConnectorError)
from connectors.retry_after import capped_wait, parse_retry_after

# HTTP status → (cause, message). 5xx and unknown 4xx are handled by range below.
HTTP_STATUS = {
    401: (TOKEN_EXPIRED, "Shopify refused the access token (expired or revoked)"),
    402: (STORE_CONFIGURATION, "The Shopify store is frozen for an unpaid bill (402): the merchant must "
                               "settle the Shopify bill, then sync again"),
    403: (STORE_CONFIGURATION, "Shopify denied access (403): re-install ShipSync so it gets the order and "
                               "fulfillment permissions, then sync again"),
    404: (STORE_CONFIGURATION, "Shopify does not know this store (404): it may be closed or renamed; "
                               "re-install ShipSync from the store's admin"),
    423: (STORE_CONFIGURATION, "The Shopify store is locked (423): contact Shopify support, then sync again"),
    429: (RATE_LIMITED, "Shopify asked ShipSync to slow down (429)"),
}

# GraphQL errors[].extensions.code → cause.
GRAPHQL_CODES = {
    "THROTTLED": RATE_LIMITED,
    "MAX_COST_EXCEEDED": INVALID_DATA,
    "ACCESS_DENIED": STORE_CONFIGURATION,
    "SHOP_INACTIVE": STORE_CONFIGURATION,
    "INTERNAL_SERVER_ERROR": STORE_SERVER,
}

# userErrors messages that describe the store's state, not our data: the merchant can act.
STORE_STATE_PATTERNS = (
    (re.compile(r"unfulfillable status= ?on_hold|on hold", re.I),
     "A fulfillment hold is set on this order in Shopify: release the hold, then sync again."),
    (re.compile(r"unfulfillable status= ?scheduled", re.I),
     "This order is scheduled for later fulfillment in Shopify: mark it ready to fulfill, then sync again."),
    (re.compile(r"unfulfillable status= ?(closed|cancelled)", re.I),
     "This order's items are already fulfilled, closed or cancelled in Shopify: check the order in Shopify admin."),
    (re.compile(r"unfulfillable status= ?incomplete", re.I),
     "This order's fulfillment is incomplete in Shopify (a fulfillment service problem): check the order's "
     "location in Shopify admin."),
    (re.compile(r"fulfillment service|permission", re.I),
     "This order is assigned to a fulfillment service, which fulfills it itself: move it to a location you "
     "manage in Shopify admin, or let the service ship it."),
    (re.compile(r"same location", re.I),
     "These items are assigned to different locations in Shopify: ship them in separate packages."),
)


def from_exception(exc: requests.RequestException, timeout: float) -> ConnectorError:
    if isinstance(exc, requests.Timeout):
        return ConnectorError(CONNECTION, f"Shopify did not answer within {timeout:g} s", detail=type(exc).__name__)
    return ConnectorError(CONNECTION, "Could not reach Shopify (connection failed)", detail=type(exc).__name__)


def from_http(response: requests.Response) -> ConnectorError:
    status = response.status_code
    detail = _snippet(response)
    if status in HTTP_STATUS:
        cause, message = HTTP_STATUS[status]
        retry = parse_retry_after(response.headers.get("Retry-After")) if status == 429 else None
        return ConnectorError(cause, message, http_status=status, retry_after=retry, detail=detail)
    if status >= 500:
        return ConnectorError(STORE_SERVER, f"Shopify had a server error ({status})", http_status=status,
                              retry_after=parse_retry_after(response.headers.get("Retry-After")), detail=detail)
    return ConnectorError(INVALID_DATA, f"Shopify rejected the request ({status})", http_status=status, detail=detail)


def not_json(response: requests.Response) -> ConnectorError:
    return ConnectorError(STORE_SERVER, "Shopify answered with something other than JSON (an error page?)",
                          http_status=response.status_code, detail=_snippet(response))


def from_graphql_errors(body: dict, http_status: int = 200) -> ConnectorError:
    errors = body.get("errors")
    errors = errors if isinstance(errors, list) else [{"message": str(errors)}]
    first = errors[0] if errors else {}
    code = ((first.get("extensions") or {}).get("code")) if isinstance(first, dict) else None
    message = first.get("message", "") if isinstance(first, dict) else str(first)
    cause = GRAPHQL_CODES.get(code, INVALID_DATA)
    if cause == RATE_LIMITED:
        return ConnectorError(RATE_LIMITED, "Shopify throttled ShipSync (query cost budget used up)",
                              http_status=http_status, retry_after=throttle_wait(body), detail=message[:300])
    if cause == STORE_CONFIGURATION:
        return ConnectorError(cause, "Shopify denied access to this data: re-install ShipSync so it gets the "
                                     "order and fulfillment permissions", http_status=http_status, detail=message[:300])
    return ConnectorError(cause, f"Shopify rejected the request: {message[:200]}", http_status=http_status,
                          detail=f"{code or 'GRAPHQL_ERROR'}: {message[:300]}")


def from_user_errors(user_errors: list[dict], action: str) -> ConnectorError:
    """userErrors of a mutation: the store's state (store_configuration) or our data (invalid_data)."""
    messages = "; ".join(e.get("message", "") for e in user_errors)
    for pattern, advice in STORE_STATE_PATTERNS:
        if pattern.search(messages):
            return ConnectorError(STORE_CONFIGURATION, advice, http_status=200, detail=f"{action}: {messages}"[:500])
    return ConnectorError(INVALID_DATA, f"Shopify refused to {action}: {messages}"[:300], http_status=200,
                          detail=f"{action}: {messages}"[:500])


def from_token_response(response: requests.Response, action: str) -> ConnectorError:
    """A failed /admin/oauth/access_token call: a bad grant means the store must re-authorize."""
    if response.status_code == 429 or response.status_code >= 500:
        return from_http(response)
    try:
        error = response.json().get("error", "")
    except (ValueError, AttributeError):
        return not_json(response)
    if error == "invalid_client":  # our app credentials, not the store: re-authorizing will not help
        return ConnectorError(TOKEN_EXPIRED, "Shopify refused ShipSync's app credentials (invalid_client): "
                                             "check SHOPIFY_API_KEY and SHOPIFY_API_SECRET",
                              http_status=response.status_code, detail=error)
    return ConnectorError(TOKEN_EXPIRED, f"Shopify refused to {action} ({error or response.status_code}): the "
                                         "merchant must re-authorize ShipSync from the store's admin",
                          http_status=response.status_code, detail=error or _snippet(response))


def throttle_wait(body: dict) -> float:
    """How long until the bucket holds the query's cost: (requested − available) / restore, ≥ 1 s."""
    cost = ((body or {}).get("extensions") or {}).get("cost") or {}
    status = cost.get("throttleStatus") or {}
    try:
        missing = float(cost["requestedQueryCost"]) - float(status["currentlyAvailable"])
        return capped_wait(max(1.0, missing / float(status["restoreRate"]))) or 1.0
    except (KeyError, TypeError, ValueError, ZeroDivisionError, OverflowError):
        return 1.0


def _snippet(response: requests.Response) -> str:
    text = (response.text or "").strip().replace("\n", " ")
    return f"HTTP {response.status_code}: {text[:200]}"
