"""Tiendanube's own failure messages in the page's language (``Platform.messages``, read by
``sync/messages.py``, which also holds the texts every platform writes alike: timeouts,
connection failures, server errors, a 429).

The connector writes English (it also goes to the logs and the attempt rows); each pattern
here matches one of its messages whole and re-words it through the catalog, carrying over the
parts that come from the store: order, item and shipment numbers, a tracking code, the
store's own error text. In Portuguese the platform is Nuvemshop (the catalog says so).

The state and delivery-method words inside a message ("dispatched", "pickup") are English in
the connector's text, so each gets its own entry rather than being carried over untranslated.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from .fulfillment_orders import ALREADY_SHIPPED_FIX

# (state as fulfillment_orders.already_shipped_message writes it, with a tracking code?) → text
_ALREADY_MARKED = {
    ("dispatched", True):
        _l("Shipment {shipment} was already dispatched in Tiendanube with tracking code {code}: if this label "
           "replaces it, correct the tracking code in the Tiendanube admin; otherwise void this label."),
    ("dispatched", False):
        _l("Shipment {shipment} was already dispatched in Tiendanube without a tracking code: if this label "
           "replaces it, add the tracking code in the Tiendanube admin; otherwise void this label."),
    ("delivered", True):
        _l("Shipment {shipment} was already delivered in Tiendanube with tracking code {code}: void this label."),
    ("delivered", False):
        _l("Shipment {shipment} was already delivered in Tiendanube without a tracking code: void this label."),
    ("ready for pickup", True):
        _l("Shipment {shipment} is already ready for pickup in Tiendanube (tracking code {code}): the customer "
           "collects it, so void this label."),
    ("ready for pickup", False):
        _l("Shipment {shipment} is already ready for pickup in Tiendanube: the customer collects it, so void "
           "this label."),
}

# shipping type as the connector writes it → text
_NO_TRACKING = {
    "pickup": _l("Shipment {shipment} is a pickup in Tiendanube, which takes no tracking code: mark it in the "
                 "Tiendanube admin, or change the order's delivery method."),
    "non shippable": _l("Shipment {shipment} is not shippable in Tiendanube (nothing to deliver), so it takes no "
                        "tracking code: mark it in the Tiendanube admin, or change the order's delivery method."),
}


def _already(state: str, with_code: bool) -> re.Pattern:
    code = r" with tracking code (?P<code>\S+)" if with_code else " without a tracking code"
    return re.compile(rf"Shipment (?P<shipment>\S+) was already marked {state} in Tiendanube{code}: "
                      + re.escape(ALREADY_SHIPPED_FIX))


PATTERNS = [(_already(state, with_code), text) for (state, with_code), text in _ALREADY_MARKED.items()] + [
    (re.compile(rf"Shipment (?P<shipment>\S+) is a {kind} shipment in Tiendanube, which takes no tracking code: "
                r"mark it in the Tiendanube admin, or change the order's delivery method\."), text)
    for kind, text in _NO_TRACKING.items()
] + [
    # The order and its shipments
    (re.compile(r"This order was cancelled in Tiendanube(?::|, so its shipments cannot be dispatched:).*void the "
                r"label\."),
     _l("This order was cancelled in Tiendanube: there is nothing to ship; void the label.")),
    (re.compile(r"These items' shipment was cancelled in Tiendanube .*void the label\."),
     _l("The shipment holding these items was cancelled in Tiendanube (the order or the shipment): there is "
        "nothing to dispatch; void the label.")),
    (re.compile(r"Tiendanube has not created this order's shipments yet.*"),
     _l("Tiendanube has not created this order's shipments yet; ShipSync tries again shortly.")),
    (re.compile(r"Tiendanube has no order (?P<order>\S+) in this store.*"),
     _l("Tiendanube has no order {order} in this store: check the label's order id (the order id, not the "
        "order number).")),
    (re.compile(r"Tiendanube has no shipment (?P<shipment>\S+) on this order"),
     _l("Tiendanube has no shipment {shipment} on this order.")),
    (re.compile(r"Shipment (?P<shipment>\S+) is already delivered in Tiendanube, so its tracking code can no "
                r"longer change\."),
     _l("Shipment {shipment} is already delivered in Tiendanube, so its tracking code can no longer change.")),
    (re.compile(r"Tiendanube cannot undo a dispatched shipment \((?P<shipment>\S+), tracking (?P<code>\S+)\): .*"),
     _l("Tiendanube cannot undo a dispatched shipment ({shipment}, tracking code {code}): tell the customer the "
        "label was voided and ship the items with a new label.")),
    (re.compile(r"Tiendanube does not allow this shipment to be dispatched from its current state.*"),
     _l("Tiendanube does not allow this shipment to be dispatched from its current state (it may be delivered, "
        "ready for pickup or not shippable): check the shipment in the Tiendanube admin.")),
    # What the label asks against what the order holds
    (re.compile(r"The label ships item (?P<item>\S+), which is not on this Tiendanube order.*"),
     _l("The label ships item {item}, which is not on this Tiendanube order: check the label's line item ids.")),
    (re.compile(r"The label ships (?P<quantity>\d+) × item (?P<item>\S+) but the Tiendanube order holds "
                r"(?P<held>\d+).*"),
     _l("The label ships {quantity} × item {item}, but the Tiendanube order holds {held}: check the label's "
        "quantities.")),
    (re.compile(r"This package holds only part of Tiendanube shipment (?P<shipment>.+?)\. Tiendanube dispatches "
                r"a whole shipment at once, so ShipSync wrote nothing \(the customer would be told that "
                r"(?P<missing>.+) left too\)\..*", re.S),
     _l("This package holds only part of Tiendanube shipment {shipment}, which is dispatched whole: ShipSync "
        "wrote nothing (the customer would be told that {missing} left too). Add those items to this package's "
        "label, or dispatch the shipment in the Tiendanube admin.")),
    # Access
    (re.compile(r"Tiendanube (?:refused|no longer accepts) ShipSync's access token.*"),
     _l("Tiendanube no longer accepts ShipSync's access (the app was installed again or uninstalled): "
        "re-authorize ShipSync from the Tiendanube admin.")),
    (re.compile(r"Tiendanube suspended API access for an unpaid bill.*"),
     _l("Tiendanube suspended API access for an unpaid bill: settle the store's or the app's bill, then "
        "synchronize again.")),
    (re.compile(r"Tiendanube denied access \(403\).*"),
     _l("Tiendanube denied access: install ShipSync again so it gets the order permissions, then synchronize "
        "again.")),
    # Pace and transport
    (re.compile(r"ShipSync is pacing itself to Tiendanube's rate limit"),
     _l("ShipSync is pacing itself to Tiendanube's rate limit; it continues by itself.")),
    (re.compile(r"Tiendanube answered (?:with something other than JSON|an order read with something else).*"),
     _l("Tiendanube answered with something ShipSync could not read (an error page?).")),
    (re.compile(r"Tiendanube's next-page link leaves the store's API"),
     _l("Tiendanube's next-page link leaves the store's API: ShipSync did not follow it.")),
    (re.compile(r"Tiendanube refused a request without a JSON Content-Type \(415\)"),
     _l("Tiendanube refused a request without a JSON Content-Type (415).")),
    # The store's own words, carried over as it wrote them
    (re.compile(r"Tiendanube could not find what ShipSync asked for \((?P<store>.*)\)", re.S),
     _l("Tiendanube could not find what ShipSync asked for: {store}")),
    (re.compile(r"Tiendanube refused to [^:]+: (?P<store>.*)", re.S), _l("Tiendanube refused the request: {store}")),
]
