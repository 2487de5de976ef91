"""The merchant JSON API (DESIGN §4): what the orders page and integrations read."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, g, jsonify, request, stream_with_context, url_for

from admin import csv_export, filters, links, queries
from auth.session import store_required
from connectors import platform
from db import URL_ID, end_request_transaction, get_session
from models import SYNCED, utcnow
from sync import causes
from sync.messages import translate

bp = Blueprint("api", __name__, url_prefix="/api")


def _service():
    return current_app.extensions["shipsync"].sync_service


def _int_arg(name: str, default: int, maximum: int) -> int:
    try:
        value = int(request.args.get(name, default))
    except ValueError:
        abort(400, description=f"{name} must be a whole number")
    return max(1, min(value, maximum))


def _filter(default_tab: str = "pending") -> filters.OrderFilter:
    try:
        return filters.parse_filter(request.args, default_tab)
    except ValueError as error:
        abort(400, description=str(error))


def _admin_url():
    """external order id → the order's page in the signed-in store's admin."""
    store, settings = g.store, current_app.config["SETTINGS"]
    return lambda external_id: links.order_admin_url(store, settings, external_id)


@bp.get("/orders")
@store_required
def list_orders():
    order_filter = _filter()
    page, per_page = _int_arg("page", 1, 100000), _int_arg("per_page", 25, 100)
    session = get_session()
    try:
        total, orders, next_cursor = queries.list_orders(session, g.store.id, order_filter, per_page, page,
                                                         request.args.get("cursor"))
    except ValueError as error:
        abort(400, description=str(error))
    admin_url = _admin_url()
    return jsonify(tab=order_filter.tab, page=page, per_page=per_page, total=total, next_cursor=next_cursor,
                   counts=queries.tab_counts(session, g.store.id),
                   orders=[queries.order_json(o, admin_url=admin_url) for o in orders])


EXPORT_COLUMNS = ("order", "date", "customer", "carrier", "tracking_number", "status", "cause", "message", "admin_url")


@bp.get("/orders/export")
@store_required
def export_orders():
    """The current filter as CSV, one row per package, streamed a chunk of orders at a time."""
    order_filter = _filter(default_tab="all")
    store_id, admin_url = g.store.id, _admin_url()
    sessionmaker = current_app.extensions["db_sessionmaker"]
    end_request_transaction()  # each chunk reads in its own short transaction

    def rows():
        yield csv_export.row(EXPORT_COLUMNS)
        for order, package in queries.iter_packages(sessionmaker, store_id, order_filter):
            error = None if package.status == SYNCED else causes.explain(package.last_cause,
                                                                          translate(package.last_message))
            yield csv_export.row((
                queries.order_name(order), order.placed_at.date().isoformat() if order.placed_at else "",
                order.customer_name or "", package.carrier, package.tracking_number,
                "voided" if package.voided else package.status, error["cause"] if error else "",
                (error["detail"] or error["message"]) if error else "", admin_url(order.external_id) or ""))

    filename = f"shipsync-orders-{utcnow():%Y-%m-%d}.csv"
    return Response(stream_with_context(rows()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/summary")
@store_required
def summary():
    return jsonify(queries.summary(get_session(), g.store.id, utcnow()))


@bp.get(f"/orders/<{URL_ID}:order_id>")
@store_required
def get_order(order_id: int):
    order = queries.get_order(get_session(), g.store.id, order_id)
    return jsonify(queries.order_json(order, with_history=True, admin_url=_admin_url()))


@bp.post(f"/orders/<{URL_ID}:order_id>/sync")
@store_required
def sync_order(order_id: int):
    store_id, order_id = g.store.id, queries.get_order(get_session(), g.store.id, order_id).id
    end_request_transaction()  # the service opens its own transaction
    restarted = _service().sync_order(store_id, order_id)
    return jsonify(order_id=order_id, packages=restarted), 202


def _order_ids() -> list[int] | None:
    """The optional {"order_ids": [...]} of POST /api/sync; None without a body."""
    if not request.get_data():
        return None
    body = request.get_json(silent=True)
    ids = body.get("order_ids") if isinstance(body, dict) else None
    if (not isinstance(ids, list) or not ids or len(ids) > 1000
            or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)):
        abort(400, description="order_ids must be a list of 1 to 1000 order ids (numbers, as the API gives them)")
    return ids


@bp.post("/sync")
@store_required
def sync_all():
    store_id, order_ids = g.store.id, _order_ids()
    end_request_transaction()  # the service opens its own transaction
    return jsonify(batch_id=_service().sync_all(store_id, order_ids)), 202


@bp.get("/sync/<batch_id>")
@store_required
def sync_progress(batch_id: str):
    session = get_session()
    batch = queries.get_batch(session, g.store.id, batch_id)
    return jsonify(queries.batch_progress(session, batch, _admin_url()))


def reauthorize_url(store) -> str:
    """The platform's install/sign-in start for this store (its descriptor's ``reauthorize``)."""
    endpoint, argument = platform(store.platform).reauthorize
    return url_for(endpoint, **{argument: store.domain}, _external=True)


@bp.get("/store")
@store_required
def get_store():
    store = g.store
    descriptor = platform(store.platform)
    return jsonify(platform=store.platform, store=store.domain, name=store.name, status=store.status,
                   reauthorize_url=reauthorize_url(store), settings=store.merged_settings(),
                   carrier_suggestions=descriptor.carrier_suggestions(store), api_key=descriptor.key_info(store))


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
    # The sync matches carriers ignoring case (sync.engine.mapped_carrier): "ups" and "UPS" are one.
    folded = [name.strip().casefold() for name in mapping]
    if len(set(folded)) != len(folded):
        raise ValueError("carrier_mapping names a carrier twice (capitals do not count)")
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
