"""Every way a WooCommerce store (or its host) can fail, mapped onto the stable causes.

One table, read top to bottom, first match wins. Messages are for the merchant and the
attempt log: they name the request's route and the store's own error code, never a key,
a secret, a signature or the query string (which carries the OAuth parameters).

Choices worth knowing:
- 429 and 5xx come first, whatever their body: hosts answer them as HTML.
- Any answer that is not JSON (a firewall's HTML, a maintenance page, a login page — even
  with status 200) is ``store_server``: the API is not what answered, and it usually passes.
- 401 is ``token_expired``: revoked or deleted keys (``woocommerce_rest_authentication_error``,
  "Consumer key is invalid."), keys the store ignores (``woocommerce_rest_cannot_*``), keys
  without write permission (named as such: a read-only key is a different fix from a
  revoked one). Nothing can refresh WooCommerce keys: the merchant reconnects.
- Every message keeps the store's own HTTP status, error code and message.
- 403 with WooCommerce's own ``woocommerce_rest_cannot_*`` (a key owned by a user who may
  not manage orders) needs a new key too; any other 403 is the host's firewall.
- 404 for the order (``woocommerce_rest_*order_invalid_id``) is ``invalid_data``: the label
  names an order this store does not have (never existed, or permanently deleted); no
  retry and no store setting fixes that, the label must be corrected or voided. A 404
  ``rest_no_route`` means a route we detected is gone (the tracking plugin was
  deactivated, the fulfillments feature turned off): ``store_configuration``.
- 3xx: we never follow redirects (a POST would become a GET); the store URL is wrong
  (http→https, another domain): ``store_configuration``.
"""
from __future__ import annotations

import json
import re

from connectors.base import (CONNECTION, INVALID_DATA, RATE_LIMITED, STORE_CONFIGURATION, STORE_SERVER,
                             TOKEN_EXPIRED, ConnectorError)
from connectors.retry_after import parse_retry_after

# The store's own words, kept in every message: its HTTP status, error code and message.
_STORE_SAYS = "HTTP {status} {code}: \"{message}\""
READ_ONLY_MESSAGE = "does not have write permissions"

# (rule name, predicate on (status, code, is_json, message), cause, message template)
_TABLE = (
    ("rate limited", lambda s, c, j, m: s == 429, RATE_LIMITED,
     "The store asked us to slow down (HTTP 429) on {what}."),
    ("server error", lambda s, c, j, m: s >= 500, STORE_SERVER,
     "The store had a server error on {what} (" + _STORE_SAYS + ")."),
    ("redirect", lambda s, c, j, m: 300 <= s < 400, STORE_CONFIGURATION,
     "The store redirected {what} (HTTP {status}): check the store URL and reconnect the store."),
    ("not the API", lambda s, c, j, m: not j, STORE_SERVER,
     "The store answered {what} with a page that is not the REST API (HTTP {status}): "
     "its host, a security plugin or a maintenance mode may be blocking the API."),
    ("read-only key", lambda s, c, j, m: s == 401 and READ_ONLY_MESSAGE in m, TOKEN_EXPIRED,
     "The store's API key for ShipSync is read-only (" + _STORE_SAYS + " on {what}): reconnect the store "
     "and approve Read/Write access."),
    ("keys refused", lambda s, c, j, m: s == 401, TOKEN_EXPIRED,
     "The store refused ShipSync's API key on {what} (" + _STORE_SAYS + "): reconnect the store."),
    ("user not allowed", lambda s, c, j, m: s == 403 and c.startswith("woocommerce_rest_cannot_"), TOKEN_EXPIRED,
     "The store's API key belongs to a user who may not manage orders (" + _STORE_SAYS + "): "
     "reconnect as a shop manager."),
    ("host firewall", lambda s, c, j, m: s == 403, STORE_SERVER,
     "The store's host refused {what} (" + _STORE_SAYS + ")."),
    ("route gone", lambda s, c, j, m: s == 404 and c == "rest_no_route", STORE_CONFIGURATION,
     "The store no longer offers {what} (" + _STORE_SAYS + "): was a tracking plugin or feature turned off?"),
    # Advanced Shipment Tracking answers a tracking number with characters outside
    # [a-z0-9- ] with 404 ``woocommerce_rest_order_invalid_id``: not a missing order.
    ("tracking number refused", lambda s, c, j, m: s == 404 and "tracking number" in m.lower(), INVALID_DATA,
     "The store refused the tracking number on {what} (" + _STORE_SAYS + ")."),
    ("no such order", lambda s, c, j, m: s == 404, INVALID_DATA,
     "The store has no such order (" + _STORE_SAYS + " on {what})."),
    ("rejected", lambda s, c, j, m: 400 <= s < 500, INVALID_DATA,
     "The store rejected {what} (" + _STORE_SAYS + ")."),
)

_SECRETS = re.compile(r"\b(c[ks]_)[0-9a-fA-F]{8,}|(oauth_signature=)[^&\s\"']+|(consumer_secret=)[^&\s\"']+")


def redact(text: str | None) -> str:
    """Remove anything that looks like a key, a secret or a signature."""
    if not text:
        return ""
    return _SECRETS.sub(lambda m: (m.group(1) or m.group(2) or m.group(3)) + "…", text)


def map_error(status: int, headers, body: bytes, what: str) -> ConnectorError:
    """The ConnectorError for a non-2xx (or non-JSON) answer to ``what`` (e.g. "GET wc/v3/orders/14")."""
    data = parse_json(body)
    is_json = data is not None
    code = str(data.get("code", "")) if isinstance(data, dict) else ""
    message = str(data.get("message", "")) if isinstance(data, dict) else ""
    for _rule, matches, cause, template in _TABLE:
        if matches(status, code, is_json, message):
            text = template.format(what=what, status=status, code=code or "no error code",
                                   message=message[:300] or "no message")
            return ConnectorError(cause, redact(text), http_status=status,
                                  retry_after=retry_after(headers), detail=redact(_detail(code, message, body)))
    raise AssertionError(f"no rule for HTTP {status}")  # 2xx JSON never reaches the table


def map_exception(error: Exception, what: str, timeout: float) -> ConnectorError:
    """Timeouts, refused connections, TLS failures, addresses ShipSync may not call: one
    neutral message for the merchant, so that the store URL cannot be used to probe which
    hosts and ports answer. The exception's text holds the full URL (and so the OAuth query):
    only its class name is kept, as the detail for operators."""
    return ConnectorError(CONNECTION, f"Could not reach the store ({what}): check that it is online and that its "
                                      "address is right.", detail=type(error).__name__)


def parse_json(body: bytes):
    """The decoded JSON body, or None when the body is not JSON (HTML, empty, PHP warnings)."""
    if not body:
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


def retry_after(headers, now: float | None = None) -> float | None:
    """Seconds the store asked us to wait (``Retry-After``), parsed by the shared helper."""
    return parse_retry_after((headers or {}).get("Retry-After"), now)


def _detail(code: str, message: str, body: bytes) -> str:
    if code or message:
        return f"{code}: {message}"[:500]
    title = re.search(rb"<title[^>]*>(.*?)</title>", body or b"", re.I | re.S)
    return ("HTML page: " + title.group(1).decode("utf-8", "replace").strip()[:200]) if title else ""
