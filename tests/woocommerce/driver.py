"""WooCommerce's test driver (tests/platform_drivers.py): the retry suite's connected store, the
abuse suite's /webhooks/woocommerce/<store id>."""
from __future__ import annotations

import json

from tests.fixtures_woocommerce import create_woo_order, make_woo_store, woo_label
from tests.platform_drivers import KNOWN, AbuseDriver, RetryDriver
from webhooks.signatures import base64_hmac_sha256

SECRET = "woo-webhook-secret"


def retry_driver(request, app, client) -> RetryDriver:
    store = request.getfixturevalue("woo_connected").store

    def label(order, package_id="PKG-1", tracking="1Z999AA10123456784"):
        return woo_label(store, order, package_id=package_id, tracking=tracking)

    def fault(kind, count=1, retry_after=None, seconds=None, on_write=False):
        store.add_fault(kind, count=count, retry_after=retry_after, seconds=seconds,
                        **({"method": "POST", "path": "shipment-trackings"} if on_write else {}))

    with client.session_transaction() as session:  # signed in by the connect flow
        csrf = {"X-CSRF-Token": session["csrf"]}
    return RetryDriver(lambda: create_woo_order(app, store, [{"name": "Mug", "quantity": 1}]), label, fault,
                       lambda order: [t["tracking_number"] for t in store.tracking_items(order["id"])], csrf)


def abuse_driver(request, app) -> AbuseDriver:
    store_id = make_woo_store(app, "https://signed.example.com", webhook_secret=SECRET)
    counter = iter(range(10**9))

    def post(client, payload, topic, store=KNOWN, signature=None):
        path = f"/webhooks/woocommerce/{store_id if store == KNOWN else store_id + 1000}"
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return client.post(path, data=body, content_type="application/json", headers={
            "X-WC-Webhook-Signature": signature if signature is not None else base64_hmac_sha256(SECRET, body),
            "X-WC-Webhook-Topic": topic, "X-WC-Webhook-Delivery-ID": f"d{next(counter)}"})

    return AbuseDriver(f"/webhooks/woocommerce/{store_id}", "X-WC-Webhook-Signature",
                       ["order.created", "order.updated", "order.deleted", "product.created", ""], post,
                       lambda order_id: {"id": int(order_id), "status": "processing", "line_items": []})
