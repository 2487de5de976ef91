"""Reconciliation covers Tiendanube like the others: an order whose webhooks never arrived
(Tiendanube gives up after 48 h of retries; here the store has no subscription at all) is
read back from ``list_changed_orders`` — a new order added, a cancellation applied."""
from __future__ import annotations

from sqlalchemy import select

from models import Order
from tests.helpers import make_store


def our_order(app, store_id: int, external_id) -> Order | None:
    with app.extensions["db_sessionmaker"]() as session:
        return session.scalar(select(Order).where(Order.store_id == store_id, Order.external_id == str(external_id)))


def test_reconciliation_repairs_lost_order_webhooks(app, tn_store):
    store_id = make_store(app, "tiendanube", str(tn_store.store_id), access_token=tn_store.token)
    service = app.extensions["shipsync"].sync_service
    seen = tn_store.create_order([{"name": "Caneca", "quantity": 1}])
    service.reconcile_store(store_id)
    assert our_order(app, store_id, seen["id"]) is not None and not our_order(app, store_id, seen["id"]).cancelled

    unseen = tn_store.create_order([{"name": "Boné", "quantity": 2}])  # its order/created never arrives
    tn_store.cancel_order(seen["id"])  # nor this order/cancelled
    result = service.reconcile_store(store_id)

    assert result["changed"] >= 2
    assert our_order(app, store_id, unseen["id"]).name == f"#{unseen['number']}"
    assert our_order(app, store_id, seen["id"]).cancelled
    assert tn_store.deliveries() == []  # nothing was delivered: the repair came from the listing
