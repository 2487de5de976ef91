"""WooCommerce's failure messages in the page's language (``Platform.messages``, read by
``sync/messages.py``). The connector says "the store" rather than naming WooCommerce, so none
of the texts every platform writes alike (sync/messages.py) are its."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

PATTERNS = [
    (re.compile(r"The store no longer accepts ShipSync's API keys.*"),
     _l("The store no longer accepts ShipSync's API keys: reconnect the store.")),
    (re.compile(r"Order (?P<order>\S+) is (?P<store>\S+) in the store: nothing can ship\."),
     _l("Order {order} is “{store}” in the store: nothing can ship.")),
    # What the connector wrote before its own checks said they are ShipSync's: older rows keep it.
    (re.compile(r"Order (?P<order>\S+) has no line item (?P<item>.+)\."), _l("Order {order} has no line item {item}.")),
]
