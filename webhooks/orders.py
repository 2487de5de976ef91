"""Order webhooks, one policy for every platform, through the store's connector.

The connector reads the payload (``Connector.order_news``, pure). When the payload carries
the whole order (WooCommerce), our copy is updated from it here; when it is only a trigger
(Shopify, Tiendanube), the worker reads the order back from the store. Either way a
webhook is news, not a command: a body older than our copy changes nothing, and an echo
of ShipSync's own writes that changes nothing we keep is answered and ignored, so no
write of ours ever triggers another.
"""
from __future__ import annotations

import dataclasses

from flask import current_app
from sqlalchemy import select

from connectors import platform
from models import Order
from sync.packages import cancel_waiting
from sync.orders import check_order_id, local_fulfillment_status, stored_fields, upsert_order


def _queue():
    return current_app.extensions["shipsync"].queue


def _connector(store):
    return platform(store.platform).connector


def _find_order(session, store_id: int, external_id: str) -> Order | None:
    return session.scalar(select(Order).where(Order.store_id == store_id, Order.external_id == external_id))


def order_created(session, store, payload):
    """A new order: shown on the page before any label arrives."""
    return _order_changed(session, store, payload, skip_current=False)


def order_updated(session, store, payload):
    """Also the store's announcement of our own writes: when our copy is already as new,
    nothing is read again (a call per package otherwise)."""
    return _order_changed(session, store, payload, skip_current=True)


def _news(store, payload):
    """What the payload says (``Connector.order_news``); raises ValueError (a 400, nothing kept)
    for an order id no store sends: our queries must not meet it."""
    news = _connector(store).order_news(payload)
    check_order_id(news.order_id)
    return news


def _order_changed(session, store, payload, skip_current: bool):
    news = _news(store, payload)
    order = _find_order(session, store.id, news.order_id)
    known_at = order.store_updated_at if order is not None else None
    if news.order is None:  # a trigger: the worker reads the order back
        if skip_current and known_at and news.updated_at and news.updated_at <= known_at:
            return {"status": "current", "order_id": news.order_id}, []
        # Only an update waits to see whether it announced our own write.
        order_id, updated_at = news.order_id, news.updated_at if skip_current else None
        return {"status": "read_back", "order_id": order_id}, [
            lambda: _queue().import_order(store.id, order_id, updated_at)]
    remote = news.order
    if order is not None:
        if remote.updated_at and known_at and remote.updated_at < known_at:
            return {"status": "stale", "order_id": remote.id}, []
        remote = dataclasses.replace(remote, fulfillment_status=_connector(store).merge_fulfillment_status(
            remote.fulfillment_status, local_fulfillment_status(order)))
        if _unchanged(order, remote):
            return {"status": "unchanged", "order_id": remote.id}, []
    order = upsert_order(session, store.id, remote)
    if remote.cancelled:
        cancel_waiting(order.packages)
    return {"status": "updated", "order_id": remote.id}, []


def order_cancelled(session, store, payload):
    """A cancelled order has nothing left to fulfil: its waiting packages stop with a clear
    cause. One we never saw is read back (it still exists in the store)."""
    news = _news(store, payload)
    if _find_order(session, store.id, news.order_id) is None:
        return order_created(session, store, payload)
    return _cancel(session, store, news.order_id)


def order_deleted(session, store, payload):
    """The order is gone (trashed or deleted) in the store: treated as cancelled; one we
    never saw is ignored (there is nothing to read back)."""
    order_id = check_order_id(_connector(store).order_id_of(payload))  # the body is only {"id": N}
    if _find_order(session, store.id, order_id) is None:
        return {"status": "ignored", "order_id": order_id}, []
    return _cancel(session, store, order_id)


def _cancel(session, store, order_id: str):
    order = _find_order(session, store.id, order_id)
    order.cancelled = True
    cancel_waiting(order.packages)
    return {"status": "cancelled", "order_id": order.external_id}, []


def _unchanged(order: Order, remote) -> bool:
    """Whether the row already holds what ``upsert_order`` would write (the store's text as we keep it)."""
    return (order.fulfillment_status == remote.fulfillment_status
            and all(getattr(order, name) == value for name, value in stored_fields(remote).items()))
