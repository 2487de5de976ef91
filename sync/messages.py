"""ShipSync's own messages about a failure, in the merchant's language.

Connectors write their messages in English (they also go to the logs and the attempt rows).
The page shows them translated: each message ShipSync writes is matched here (or in the
platform's own table, its descriptor's ``messages`` module) and re-worded through the catalog; the parts that come from the store (its order number, its own error
text) are carried over as they are. A message not listed here is the store's own words and
stays as the store wrote it.
"""
from __future__ import annotations

import importlib
import re

from flask_babel import lazy_gettext as _l

_SHOPIFY_STATUS = {
    "is on hold in Shopify: release the fulfillment hold on the order, then sync again":
        _l("Line item {item} of order {order} is on hold in Shopify: release the fulfillment hold on the order, "
           "then synchronize again."),
    "is scheduled for later in Shopify: mark it as ready to fulfill, then sync again":
        _l("Line item {item} of order {order} is scheduled for later in Shopify: mark it as ready to fulfill, "
           "then synchronize again."),
    "is incomplete in Shopify (a fulfillment service problem): check the order's location":
        _l("Line item {item} of order {order} is incomplete in Shopify (a fulfillment service problem): "
           "check the order's location."),
    "is closed in Shopify (already fulfilled or archived)":
        _l("Line item {item} of order {order} is closed in Shopify (already fulfilled or archived)."),
    "was cancelled in Shopify": _l("Line item {item} of order {order} was cancelled in Shopify."),
    "is assigned to a fulfillment service, which fulfills it itself: move it to a location you manage in "
    "Shopify admin, or let the service ship it":
        _l("Line item {item} of order {order} is assigned to a fulfillment service, which fulfills it itself: "
           "move it to a location you manage in Shopify admin, or let the service ship it."),
}

_PATTERNS = [
    (re.compile(r"Line item (?P<item>\S+) of order (?P<order>\S+) " + re.escape(advice) + r"\.?"), text)
    for advice, text in _SHOPIFY_STATUS.items()
] + [
    (re.compile(r"Line item (?P<item>\S+) is not on order (?P<order>\S+) in Shopify"),
     _l("Line item {item} is not on order {order} in Shopify.")),
    (re.compile(r"Shopify has not assigned order (?P<order>\S+) to a location yet .*"),
     _l("Shopify has not assigned order {order} to a location yet: ShipSync synchronizes again when Shopify "
        "finishes routing; if this persists, check the order's location in Shopify admin.")),
    (re.compile(r"Order (?P<order>\S+) was cancelled in Shopify: nothing can be fulfilled"),
     _l("Order {order} was cancelled in Shopify: nothing can be fulfilled.")),
    (re.compile(r"A fulfillment hold is set on this order in Shopify.*"),
     _l("A fulfillment hold is set on this order in Shopify: release the hold, then synchronize again.")),
    (re.compile(r"Shopify did not answer within (?P<seconds>[\d.]+) s"),
     _l("Shopify did not answer within {seconds} s.")),
    (re.compile(r"Could not reach Shopify \(connection failed\)"), _l("Could not reach Shopify (connection failed).")),
    (re.compile(r"Shopify had a server error \((?P<status>\d+)\)"), _l("Shopify had a server error ({status}).")),
    (re.compile(r"Shopify rejected the request \((?P<status>\d+)\)"), _l("Shopify rejected the request ({status}).")),
    (re.compile(r"Shopify rejected the request: (?P<store>.*)", re.S), _l("Shopify rejected the request: {store}")),
    (re.compile(r"Shopify refused to (?P<store>.*)", re.S), _l("Shopify refused the request: {store}")),
    (re.compile(r"Shopify throttled ShipSync.*"), _l("Shopify asked ShipSync to slow down (too many requests).")),
    (re.compile(r"The Shopify access token has expired"), _l("The Shopify access token has expired.")),
    (re.compile(r"The store no longer accepts ShipSync's API keys.*"),
     _l("The store no longer accepts ShipSync's API keys: reconnect the store.")),
    (re.compile(r"Order (?P<order>\S+) is (?P<store>\S+) in the store: nothing can ship\."),
     _l("Order {order} is “{store}” in the store: nothing can ship.")),
    (re.compile(r"Order (?P<order>\S+) has no line item (?P<item>.+)\."), _l("Order {order} has no line item {item}.")),
    (re.compile(r"The order was cancelled in the store\."), _l("The order was cancelled in the store.")),
]


def _platform_patterns() -> list:
    """Each platform's own table (its descriptor's ``messages`` module)."""
    from connectors import PLATFORMS

    return [entry for descriptor in PLATFORMS.values() if descriptor.messages
            for entry in importlib.import_module(descriptor.messages).PATTERNS]


def _match(message: str):
    for pattern, text in _PATTERNS + _platform_patterns():
        match = pattern.fullmatch(message.strip())
        if match:
            return text, match
    return None, None


def translate(message: str | None) -> str | None:
    """``message`` in the request's language when ShipSync wrote it; the store's words unchanged."""
    text, match = _match(message) if message else (None, None)
    return str(text).format(**match.groupdict()) if text else message


def written_by_shipsync(message: str | None) -> bool:
    """Whether ShipSync wrote this message (the page then does not call it the store's answer)."""
    return bool(message) and _match(message)[0] is not None
