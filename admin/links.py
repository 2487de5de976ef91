"""Links from ShipSync into the store's own admin: each order's page there."""
from __future__ import annotations

from connectors.shopify.oauth import valid_shop_domain

SHOPIFY_DEFAULT_ORIGIN = "https://{shop}"


def _numeric(external_id: str) -> str:
    """Shopify ids may be stored as GIDs (gid://shopify/Order/5001): the admin URL wants 5001."""
    return external_id.rsplit("/", 1)[-1]


def order_admin_url(store, settings, external_id: str) -> str | None:
    """The order's page in its store's admin, or None for a platform without one.

    Shopify: admin.shopify.com/store/<handle>/orders/<id>, the admin's own address (the old
    <shop>/admin/orders/<id> only redirects there); outside production the configured admin
    origin (the sandbox). WooCommerce: the HPOS order editor, admin.php?page=wc-orders; a store
    still on posts storage redirects it to post.php?post=<id>&action=edit itself
    (WooCommerce's COTRedirectionController), so one address serves both storages.
    """
    if store.platform == "shopify":
        origin = settings.shopify_admin_origin
        if origin == SHOPIFY_DEFAULT_ORIGIN and valid_shop_domain(store.domain):
            handle = store.domain.removesuffix(".myshopify.com")
            return f"https://admin.shopify.com/store/{handle}/orders/{_numeric(external_id)}"
        return f"{origin.format(shop=store.domain)}/admin/orders/{_numeric(external_id)}"
    if store.platform == "woocommerce":
        return f"{store.domain.rstrip('/')}/wp-admin/admin.php?page=wc-orders&action=edit&id={external_id}"
    return None
