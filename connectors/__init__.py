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


def sync_cost(platform: str) -> float:
    """Points a package sync may request from the store up front (0: the platform has no budget)."""
    if platform == "shopify":
        from connectors.shopify import SYNC_REQUESTED_COST

        return float(SYNC_REQUESTED_COST)
    return 0.0
