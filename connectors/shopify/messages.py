"""Shopify's own failure messages in the page's language (``Platform.messages``, read by
``sync/messages.py``, which also holds the texts every platform writes alike: timeouts,
connection failures, server errors, a 429).

The connector writes English (it also goes to the logs and the attempt rows); each pattern
here matches one of its messages whole and re-words it through the catalog, carrying over the
parts that come from the store: order and line item numbers, the store's own error text.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

# What the connector says about a line item's fulfillment order → text
_LINE_ITEM_STATUS = {
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

PATTERNS = [
    (re.compile(r"Line item (?P<item>\S+) of order (?P<order>\S+) " + re.escape(advice) + r"\.?"), text)
    for advice, text in _LINE_ITEM_STATUS.items()
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
    (re.compile(r"Shopify rejected the request \((?P<status>\d+)\)"), _l("Shopify rejected the request ({status}).")),
    (re.compile(r"Shopify rejected the request: (?P<store>.*)", re.S), _l("Shopify rejected the request: {store}")),
    (re.compile(r"Shopify refused to (?P<store>.*)", re.S), _l("Shopify refused the request: {store}")),
    (re.compile(r"Shopify throttled ShipSync.*"), _l("Shopify asked ShipSync to slow down (too many requests).")),
    (re.compile(r"The Shopify access token has expired"), _l("The Shopify access token has expired.")),
]
