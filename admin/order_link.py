"""GET /shopify/order: from Shopify's own order page into ShipSync.

The admin link extension (extensions/shipsync-order-link) puts "Open in ShipSync" in the
order page's More actions menu; Shopify opens this URL inside the embedded app with the
shop, the order's numeric ``id`` and an ``hmac`` of the query (signed like the app's
other admin loads). The answer is the orders page with that order found and its details
open, where it can be synchronized.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, redirect, request
from sqlalchemy import select

from connectors import platform
from connectors.shopify.oauth import valid_shop_domain, verify_callback_hmac
from db import get_session
from models import Order
from stores import find_store

bp = Blueprint("order_link", __name__)



@bp.get("/shopify/order")
def shopify_order():
    shop = (request.args.get("shop") or "").lower()
    if not valid_shop_domain(shop):
        abort(400, description="shop must be a *.myshopify.com domain")
    if not verify_callback_hmac(request.args.to_dict(), current_app.config["SETTINGS"].shopify_api_secret):
        abort(401, description="invalid hmac")
    order_id = (request.args.get("id") or "").rsplit("/", 1)[-1]  # numeric, or a GID on some targets
    if not order_id.isdigit():
        abort(400, description="id must be the order's numeric id")
    # What the embedded page itself needs from Shopify's query (its descriptor's Embedding says).
    page = {k: request.args[k] for k in platform("shopify").embedding.passed_on if k in request.args}
    store = find_store(get_session(), "shopify", shop)
    order = store and get_session().scalar(select(Order).where(Order.store_id == store.id,
                                                               Order.external_id == order_id))
    if order is None:  # no label for it yet: the page says no order matches
        return redirect("/?" + urlencode({**page, "tab": "all", "q": order_id}))
    return redirect("/?" + urlencode({**page, "tab": "all", "q": order.name or order_id, "order": order.id}))
