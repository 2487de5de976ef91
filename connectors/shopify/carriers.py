"""Carrier names as Shopify knows them.

Shopify builds the tracking link (and, for some, follows the shipment) only for company
names on its list, written exactly — capitalization matters. Shipping platforms write
"ups", "Fedex" or "DHL EXPRESS"; this puts a known name into Shopify's spelling. Other
names pass through as they are: Shopify shows any company name, and the package's
tracking URL keeps the number clickable, which tells the customer more than "Other".
"""
from __future__ import annotations

# Shopify's supported tracking companies (Admin API, FulfillmentTrackingInfo.company),
# the ones shipping platforms commonly send.
KNOWN = (
    "4PX", "AGS", "Amazon", "Amazon Logistics UK", "An Post", "Anjun Logistics", "APC", "Asendia USA",
    "Australia Post", "Bonshaw", "BPost", "BPost International", "Canada Post", "Canpar", "CDL Last Mile",
    "China Post", "Chronopost", "Chukou1", "Colissimo", "Comingle", "Coordinadora", "Correios", "Correos", "CTT",
    "CTT Express", "Cyprus Post", "Delnext", "Deutsche Post", "DHL eCommerce", "DHL eCommerce Asia",
    "DHL Express", "DPD", "DPD Local", "DPD UK", "DTD Express", "DX", "Eagle", "Estes", "Evri", "FedEx", "GLS",
    "La Poste", "New Zealand Post", "OnTrac", "PostNL", "PostNord", "Purolator", "Royal Mail", "Sendle",
    "SF Express", "UPS", "USPS", "Yodel", "YunExpress",
)
_BY_KEY = {name.casefold().replace(" ", ""): name for name in KNOWN}
# Names shipping platforms use for a carrier Shopify lists under another name.
_ALIASES = {"dhl": "DHL Express", "fedexground": "FedEx", "hermes": "Evri", "royalmailuk": "Royal Mail",
            "unitedstatespostalservice": "USPS", "unitedparcelservice": "UPS", "correosexpress": "Correos"}


def shopify_company(carrier: str) -> str:
    """The carrier in Shopify's spelling when Shopify knows it; otherwise unchanged."""
    key = carrier.casefold().replace(" ", "").replace("-", "").replace("_", "")
    return _BY_KEY.get(key) or _ALIASES.get(key) or carrier.strip()
