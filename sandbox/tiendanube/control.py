"""Scripting the sandbox over HTTP (``/_sandbox/…``), for the demo and a sandbox run on its own.
Tests use the same operations in Python on ``TiendanubeSandbox`` / ``SandboxStore``::

    POST   /_sandbox/reset
    PUT    /_sandbox/app                         {redirect_url?, app_url?, token_error_status?, user_id_as_number?, code_ttl?}
    POST   /_sandbox/stores                      {store_id?, name?, plan?, auth_styles?, allow_http_webhooks?}
    GET    /_sandbox/stores/<id>
    POST   /_sandbox/stores/<id>/token           → {access_token} (install without the browser)
    POST   /_sandbox/stores/<id>/uninstall
    POST   /_sandbox/stores/<id>/orders          {products?: [{name, quantity, location?}], shipping_type?, route?}
    GET    /_sandbox/stores/<id>/orders/<oid>    → {order, fulfillment_orders}
    POST   /_sandbox/stores/<id>/orders/<oid>/cancel
    POST   /_sandbox/stores/<id>/orders/<oid>/dispatch   {fo_id?, code?} (the merchant ships in the admin)
    POST   /_sandbox/stores/<id>/faults          {kind, method?, path?, count?, seconds?, status?, body?}
    DELETE /_sandbox/stores/<id>/faults
    GET    /_sandbox/stores/<id>/requests | /deliveries | /notifications | /webhooks
"""
from __future__ import annotations

from flask import abort, jsonify, request

from sandbox.common.control import control_blueprint, current_sandbox, json_body, store_or_404

APP_SETTINGS = {"redirect_url": str, "app_url": str, "token_error_status": int, "user_id_as_number": bool, "code_ttl": float}


def _store_options(body: dict) -> dict:
    options = {k: body[k] for k in ("store_id", "name", "plan", "allow_http_webhooks") if k in body}
    if "auth_styles" in body:
        options["auth_styles"] = tuple(body["auth_styles"] or ())
    return options


# /reset, /stores, /stores/<id> and its /faults come with the blueprint (sandbox.common.control).
bp = control_blueprint("tiendanube_control", __name__, "<int:key>", _store_options)


def _order_id(store, order_id: int) -> int:
    if order_id not in store.orders:
        abort(404, description="no such order")
    return order_id


@bp.put("/app")
def app_settings():
    sandbox, body = current_sandbox(), json_body()
    try:
        for key, kind in APP_SETTINGS.items():
            if key in body:
                setattr(sandbox, key, kind(body[key]))
    except (TypeError, ValueError) as error:
        abort(400, description=str(error))
    return jsonify({key: getattr(sandbox, key) for key in APP_SETTINGS})


@bp.post("/stores/<int:store_id>/token")
def token(store_id):
    return jsonify(access_token=store_or_404(store_id).issue_token()), 201


@bp.post("/stores/<int:store_id>/uninstall")
def uninstall(store_id):
    store_or_404(store_id).uninstall()
    return jsonify(ok=True)


@bp.post("/stores/<int:store_id>/orders")
def create_order(store_id):
    store, body = store_or_404(store_id), json_body()
    try:
        order = store.create_order(body.get("products"), shipping_type=body.get("shipping_type", "ship"),
                                   route=bool(body.get("route", True)))
    except (TypeError, ValueError, AttributeError) as error:
        abort(400, description=f"invalid order: {error}")
    return jsonify(order), 201


@bp.get("/stores/<int:store_id>/orders/<int:order_id>")
def get_order(store_id, order_id):
    store = store_or_404(store_id)
    _order_id(store, order_id)
    return jsonify(order=store.order_json(order_id), fulfillment_orders=store.fulfillment_orders(order_id))


@bp.post("/stores/<int:store_id>/orders/<int:order_id>/cancel")
def cancel(store_id, order_id):
    store = store_or_404(store_id)
    return jsonify(store.cancel_order(_order_id(store, order_id), json_body().get("reason", "other")))


@bp.post("/stores/<int:store_id>/orders/<int:order_id>/dispatch")
def dispatch(store_id, order_id):
    store, body = store_or_404(store_id), json_body()
    store.dispatch_in_admin(_order_id(store, order_id), body.get("fo_id"), body.get("code", "MERCHANT-1"))
    return jsonify(store.fulfillment_orders(order_id))


@bp.get("/stores/<int:store_id>/<any(requests, deliveries, notifications, webhooks):what>")
def readout(store_id, what):
    store = store_or_404(store_id)
    if what == "requests":
        return jsonify(store.requests(request.args.get("method"), request.args.get("resource")))
    if what == "deliveries":
        return jsonify(store.deliveries(request.args.get("event")))
    if what == "webhooks":
        return jsonify(store.webhook_list())
    with store.lock:
        return jsonify(list(store.notifications))
