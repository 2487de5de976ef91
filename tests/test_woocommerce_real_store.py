"""WooCommerce as the real store behaves (issue 9), end to end against the sandbox store:
shared delivery ids, a tracking plugin switched at run time, nothing internal shown to customers."""
from __future__ import annotations

import time

from sqlalchemy import select

from models import Order
from tests.fixtures_woocommerce import create_woo_order
from tests.helpers import wait_for

LINES = [{"name": "Blue Mug", "quantity": 2, "sku": "MUG-BLUE"}, {"name": "Canvas Tote", "quantity": 1}]


def our_order(app, external_id) -> Order | None:
    with app.extensions["db_sessionmaker"]() as session:
        order = session.scalar(select(Order).where(Order.external_id == str(external_id)))
        if order is not None:
            session.expunge(order)
        return order


def delivery_ids(store, topic: str) -> set:
    return {d["delivery_id"] for d in store.deliveries("delivery") if d["topic"] == topic}


def test_three_orders_placed_in_one_second_are_all_imported(app, woo_connected, worker):
    store = woo_connected.store
    store.frozen_time = time.time()
    placed = [store.create_order(LINES) for _ in range(3)]
    assert store.sandbox.deliverer.wait_idle()
    assert len(delivery_ids(store, "order.created")) == 1  # one id for all three, as the real store sends
    for order in placed:
        wait_for(lambda o=order: our_order(app, o["id"]), message=f"order {order['id']} imported")


def test_a_cancellation_in_the_same_second_as_an_update_is_applied(app, woo_connected, worker):
    store = woo_connected.store
    order = create_woo_order(app, store, LINES)
    store.frozen_time = time.time()
    store.update_order(order["id"], {"customer_note": "Leave it at the door"})
    assert store.sandbox.deliverer.wait_idle()
    store.update_order(order["id"], {"status": "cancelled"})
    assert store.sandbox.deliverer.wait_idle()
    assert len(delivery_ids(store, "order.updated")) == 1
    wait_for(lambda: our_order(app, order["id"]).cancelled, message="the cancellation applied")


def test_reconciliation_repairs_lost_order_webhooks(app, woo_connected, worker):
    """WooCommerce never re-sends a delivery: the hourly reconciliation re-reads recently
    modified orders, so a lost order.created and a lost cancellation are both repaired."""
    store = woo_connected.store
    seen = create_woo_order(app, store, LINES)
    unseen = store.create_order(LINES, notify=False)  # its order.created never arrives
    store.update_order(seen["id"], {"status": "cancelled"}, notify=False)  # nor this order.updated
    assert our_order(app, unseen["id"]) is None and not our_order(app, seen["id"]).cancelled

    result = app.extensions["shipsync"].service.reconcile_store(woo_connected.store_id)

    assert result["changed"] >= 2
    assert our_order(app, unseen["id"]).name == f"#{unseen['id']}"
    assert our_order(app, seen["id"]).cancelled
