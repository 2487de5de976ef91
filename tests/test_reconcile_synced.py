"""Reconciliation notices "synchronized here, not fulfilled in the store" and tells the merchant."""
from __future__ import annotations

from sqlalchemy import select

from models import Order, Package
from tests.helpers import api_headers
from tests.test_sync_shopify import SHOP, new_order, package_row, send_label, shop, wait_status  # noqa: F401


def cancel_in_store(app, order_id, fulfillment_id):
    """The merchant cancels the fulfillment in the Shopify admin."""
    from connectors import connector_for
    import stores

    services = app.extensions["shipsync"]
    with app.extensions["db_sessionmaker"]() as session:
        access = stores.store_access(session.scalar(select(Package)).store, services.cipher)
    connector_for(access, services.settings).cancel_fulfillment(order_id, fulfillment_id)


def test_a_fulfillment_cancelled_in_the_store_needs_sync_again_with_its_cause(app, client, runner, shop):
    order, (line,) = new_order(shop)
    send_label(client, order, [(line, 1)])
    kept, (kept_line,) = new_order(shop)
    send_label(client, kept, [(kept_line, 1)], package_id="PKG-2", tracking="1ZKEPT0000000001")
    first = wait_status(app, "synced")
    wait_status(app, "synced", "PKG-2")
    cancel_in_store(app, order["id"], first.fulfillment_id)

    assert runner.invoke(args=["reconcile"]).exit_code == 0
    package = wait_status(app, "requires_sync")
    assert package.last_cause == "fulfillment_missing" and package.fulfillment_id is None
    assert package_row(app, "PKG-2").status == "synced"  # still in the store: left alone

    settings = app.config["SETTINGS"]
    with app.extensions["db_sessionmaker"]() as session:
        order_row = session.scalar(select(Order).where(Order.id == package.order_id))
    details = client.get(f"/api/orders/{order_row.id}", headers=api_headers(settings, SHOP)).json
    assert details["requires_sync"] is True
    (shown,) = details["packages"]
    assert shown["error"]["cause"] == "fulfillment_missing"
    assert "no longer has its fulfillment" in shown["error"]["message"]

    assert client.post(f"/api/orders/{order_row.id}/sync", headers=api_headers(settings, SHOP)).status_code == 202
    again = wait_status(app, "synced")
    assert again.fulfillment_id != first.fulfillment_id
    statuses = sorted(f["status"] for f in shop.fulfillments(SHOP, order["id"]))
    assert statuses == ["CANCELLED", "SUCCESS"]
