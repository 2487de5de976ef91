"""Shopify's test driver (tests/platform_drivers.py): the retry suite's installed shop, the
abuse suite's /webhooks/shopify."""
from __future__ import annotations

import json

from tests.helpers import SHOPIFY_LOOKUPS, api_headers, install_shopify, label_payload, make_store, wait_for
from tests.platform_drivers import KNOWN, AbuseDriver, RetryDriver
from webhooks.signatures import base64_hmac_sha256

SHOP = "acme.myshopify.com"


def retry_driver(request, app, client) -> RetryDriver:
    shopify_store = request.getfixturevalue("shopify_store")
    shopify_store.create_shop(SHOP)
    install_shopify(client, SHOP)
    wait_for(lambda: shopify_store.requests(SHOP, operation="ShipSyncOpenOrders"), message="install tasks")

    def new_order():
        return shopify_store.create_order(SHOP, [{"title": "Mug", "quantity": 1}])

    def label(order, package_id="PKG-1", tracking="1Z999AA10123456784"):
        line = order["line_items"][0]["id"]
        return label_payload(order_id=order["id"], package_id=package_id, tracking=tracking,
                             items=[{"line_item_id": line, "quantity": 1}])

    def fault(kind, count=1, retry_after=None, seconds=None, on_write=False):
        shopify_store.add_fault(SHOP, kind, count=count, retry_after=retry_after, seconds=seconds,
                                match="fulfillmentCreate" if on_write else SHOPIFY_LOOKUPS)

    def tracking(order):
        return [f["tracking_number"] for f in shopify_store.fulfillments(SHOP, order["id"])
                if f["status"] != "CANCELLED"]

    return RetryDriver(new_order, label, fault, tracking, api_headers(app.config["SETTINGS"], SHOP))


def abuse_driver(request, app) -> AbuseDriver:
    make_store(app, "shopify", SHOP)
    secret = app.config["SETTINGS"].shopify_api_secret
    counter = iter(range(10**9))

    def post(client, payload, topic, store=KNOWN, signature=None):
        shop = SHOP if store == KNOWN else "stranger.myshopify.com"
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return client.post("/webhooks/shopify", data=body, content_type="application/json", headers={
            "X-Shopify-Hmac-Sha256": signature if signature is not None else base64_hmac_sha256(secret, body),
            "X-Shopify-Topic": topic, "X-Shopify-Shop-Domain": shop, "X-Shopify-Event-Id": f"e{next(counter)}"})

    return AbuseDriver("/webhooks/shopify", "X-Shopify-Hmac-Sha256",
                       ["orders/create", "orders/updated", "orders/cancelled", "app/uninstalled",
                        "customers/data_request", "customers/redact", "shop/redact", "unknown/topic"],
                       post, lambda order_id: {"id": int(order_id), "updated_at": "2026-01-01T00:00:00Z"})
