"""Store connectors, one module per platform, behind ``connectors.base.Connector``."""
from __future__ import annotations

from connectors.base import StoreAccess


def connector_for(access: StoreAccess, settings, http=None):
    """The connector for a store's platform.

    ``http`` is an optional ``requests.Session`` (tests and benchmarks pass their own).
    Imports are local so that a platform's dependencies load only when it is used.
    """
    if access.platform == "shopify":
        from connectors.shopify import ShopifyConnector

        return ShopifyConnector(access, settings, http=http)
    if access.platform == "woocommerce":
        from connectors.woocommerce import WooCommerceConnector

        return WooCommerceConnector(access, settings, http=http)
    raise ValueError(f"no connector for platform {access.platform!r}")


def sync_cost(platform: str, shipment) -> float:
    """Points a sync of ``shipment`` will request from the store's budget (0: the platform has none)."""
    if platform == "shopify":
        from connectors.shopify import ShopifyConnector

        return ShopifyConnector.requested_cost(shipment)
    return 0.0


def read_cost(platform: str) -> float:
    """Points reading one order requests from the store's budget (0: the platform has none)."""
    if platform == "shopify":
        from connectors.shopify.documents import REQUESTED_COST

        return float(REQUESTED_COST["ORDER_QUERY"])
    return 0.0
