"""Store-wide webhook topics every platform has in some form, handled one way: the app was
uninstalled, and the privacy (GDPR / LGPD) requests — what ShipSync holds about a customer,
erasing it, and erasing a whole store after uninstall. Each platform's receiver maps its own
topic names onto these handlers (``webhooks.delivery`` handler signature)."""
from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import delete, or_, select

from models import SYNCED, UNINSTALLED, Order, Package, WebhookReceipt
from nul_characters import NUL
from sync import causes
from sync.orders import fit
from sync.packages import hold_waiting

log = logging.getLogger(__name__)


def _queue():
    return current_app.extensions["shipsync"].queue


def app_uninstalled(session, store, payload):
    """Stop all work for the store and drop its tokens; a re-install starts afresh."""
    store.status = UNINSTALLED
    store.credentials_encrypted = None
    store.token_expires_at = store.refresh_expires_at = None
    waiting = session.scalars(select(Package).where(Package.store_id == store.id, Package.status != SYNCED)).all()
    hold_waiting(waiting, causes.STORE_UNINSTALLED, "The app was uninstalled from the store.")
    return {"uninstalled": store.domain}, []


def _customer_orders(session, store, payload):
    customer = payload.get("customer") or {}
    # Looked up as stored (sync.orders.fit): an e-mail kept without its NUL is still the
    # customer's, and must be found to be erased; an order id with one is none of ours.
    wanted = [str(i) for i in (payload.get("orders_requested") or payload.get("orders_to_redact") or [])]
    wanted = [i for i in wanted if NUL not in i]
    conditions = [Order.external_id.in_(wanted)] if wanted else []
    if customer.get("email"):
        conditions.append(Order.customer_email == fit(Order.customer_email, str(customer["email"])))
    if not conditions:
        return []
    return session.scalars(select(Order).where(Order.store_id == store.id, or_(*conditions))).all()


def customers_data_request(session, store, payload):
    """What ShipSync holds about the customer, kept with the receipt for the merchant to pass on."""
    orders = _customer_orders(session, store, payload)
    report = [{"order": o.name, "customer_name": o.customer_name, "customer_email": o.customer_email,
               "tracking_numbers": [p.tracking_number for p in o.packages]} for o in orders]
    log.info("customers/data_request for store %s: %d order(s) reported", store.id, len(report))
    return {"data_request": report}, []


def customers_redact(session, store, payload):
    """Erase the customer's personal data; shipments stay, without a name or address attached."""
    orders = _customer_orders(session, store, payload)
    for order in orders:
        order.customer_name = order.customer_email = None
    # Earlier data-request reports carry the same personal data.
    session.execute(delete(WebhookReceipt).where(WebhookReceipt.store_id == store.id,
                                                 WebhookReceipt.topic == "customers/data_request"))
    return {"redacted_orders": len(orders)}, []


def shop_redact(session, store, payload):
    """Erase everything of the store: platforms send this after uninstall (Shopify: 48 hours), so a store
    that is installed is never erased. The erasing is the worker's (a big store takes long)."""
    if store.status != UNINSTALLED:
        return {"ignored": "store is installed"}, []
    return {"redacting": True}, [lambda: _queue().redact_store(store.id)]
