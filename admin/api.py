"""The merchant JSON API (DESIGN §4): what the orders page and integrations read."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, jsonify, request, url_for

from admin import queries
from auth.session import store_required
from db import URL_ID, end_request_transaction, get_session
from sync import causes

bp = Blueprint("api", __name__, url_prefix="/api")


def _service():
    return current_app.extensions["shipsync"].service


def _int_arg(name: str, default: int, maximum: int) -> int:
    try:
        value = int(request.args.get(name, default))
    except ValueError:
        abort(400, description=f"{name} must be a whole number")
    return max(1, min(value, maximum))


@bp.get("/orders")
@store_required
def list_orders():
    tab = request.args.get("tab", "pending")
    if tab not in queries.TABS:
        abort(400, description="tab must be pending, prepared or all")
    page, per_page = _int_arg("page", 1, 100000), _int_arg("per_page", 25, 100)
    session = get_session()
    total, orders = queries.list_orders(session, g.store.id, tab, page, per_page, request.args.get("q"))
    return jsonify(tab=tab, page=page, per_page=per_page, total=total,
                   counts=queries.tab_counts(session, g.store.id),
                   orders=[queries.order_json(o) for o in orders])


@bp.get(f"/orders/<{URL_ID}:order_id>")
@store_required
def get_order(order_id: int):
    return jsonify(queries.order_json(queries.get_order(get_session(), g.store.id, order_id), with_history=True))


@bp.post(f"/orders/<{URL_ID}:order_id>/sync")
@store_required
def sync_order(order_id: int):
    store_id, order_id = g.store.id, queries.get_order(get_session(), g.store.id, order_id).id
    end_request_transaction()  # the service opens its own transaction
    restarted = _service().sync_order(store_id, order_id)
    return jsonify(order_id=order_id, packages=restarted), 202


@bp.post("/sync")
@store_required
def sync_all():
    store_id = g.store.id
    end_request_transaction()  # the service opens its own transaction
    return jsonify(batch_id=_service().sync_all(store_id)), 202


@bp.get("/sync/<batch_id>")
@store_required
def sync_progress(batch_id: str):
    session = get_session()
    return jsonify(queries.batch_progress(session, queries.get_batch(session, g.store.id, batch_id)))


def reauthorize_url(store) -> str:
    if store.platform == "shopify":
        return url_for("shopify_auth.start", shop=store.domain, _external=True)
    return url_for("woocommerce_auth.start", store_url=store.domain, _external=True)


@bp.get("/store")
@store_required
def get_store():
    store = g.store
    return jsonify(platform=store.platform, store=store.domain, name=store.name, status=store.status,
                   reauthorize_url=reauthorize_url(store), settings=store.merged_settings())


def validate_settings(changes) -> dict:
    """The settings a PATCH may change, checked; raises ValueError naming the bad field."""
    if not isinstance(changes, dict):
        raise ValueError("the body must be a JSON object")
    unknown = set(changes) - {"notify_customer", "auto_sync", "carrier_mapping"}
    if unknown:
        raise ValueError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    for flag in ("notify_customer", "auto_sync"):
        if flag in changes and not isinstance(changes[flag], bool):
            raise ValueError(f"{flag} must be true or false")
    mapping = changes.get("carrier_mapping", {})
    if not isinstance(mapping, dict) or len(mapping) > 200 or not all(
            isinstance(k, str) and isinstance(v, str) and k.strip() and v.strip() and len(k) <= 100 and len(v) <= 100
            for k, v in mapping.items()):
        raise ValueError("carrier_mapping must map up to 200 carrier names to store carrier names")
    return changes


@bp.patch("/store/settings")
@store_required
def update_settings():
    try:
        changes = validate_settings(request.get_json(silent=True))
    except ValueError as error:
        abort(400, description=str(error))
    store = g.store
    turned_on = changes.get("auto_sync") is True and not store.merged_settings()["auto_sync"]
    store.settings = settings = {**store.merged_settings(), **changes}
    store_id = store.id
    get_session().commit()
    end_request_transaction()  # the service opens its own transaction
    if turned_on:  # packages that waited for a manual sync go now
        _service().resume_held(store_id, (causes.MANUAL_SYNC,))
    return jsonify(settings=settings)
