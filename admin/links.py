"""Links from ShipSync into the store's own admin: each order's page there."""
from __future__ import annotations

from connectors import platform


def order_admin_url(store, settings, external_id: str) -> str | None:
    """The order's page in its store's admin (each descriptor's ``admin_order_url``), or None
    for a platform without one."""
    return platform(store.platform).admin_order_url(store, settings, external_id)
