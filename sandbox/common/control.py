"""The plumbing of every sandbox's control API (``/_sandbox/…``) and of its views.

``control_blueprint`` gives a platform's control blueprint the routes every sandbox has —
``POST /_sandbox/reset``, ``POST /_sandbox/stores``, ``GET /_sandbox/stores/<store>`` (its
``summary()``) and ``POST|DELETE /_sandbox/stores/<store>/faults`` — to which the platform
adds its own.
"""
from __future__ import annotations

from typing import Callable

from flask import Blueprint, abort, current_app, jsonify, request


def current_sandbox():
    """The ``StoreSandbox`` whose app serves this request."""
    return current_app.config["SANDBOX"]


def store_or_404(key):
    store = current_sandbox().stores.get(key)
    if store is None:
        abort(404, description=f"no sandbox store {key!r}")
    return store


def json_body() -> dict:
    """The request's JSON object, or ``{}`` for anything else (a control call's arguments are optional)."""
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def control_blueprint(name: str, import_name: str, store_rule: str,
                      store_options: Callable[[dict], dict]) -> Blueprint:
    """A ``/_sandbox`` blueprint with the common routes. ``store_rule``: how a URL names a store
    (``<key>``, ``<int:key>``); ``store_options``: a ``POST /stores`` body → ``create_store``'s
    arguments (TypeError or ValueError for bad ones, a 400 as from ``create_store``)."""
    bp = Blueprint(name, import_name, url_prefix="/_sandbox")
    bp.add_url_rule("/reset", view_func=reset, methods=["POST"])

    @bp.post("/stores")
    def create_store():
        try:
            store = current_sandbox().create_store(**store_options(json_body()))
        except (TypeError, ValueError) as error:
            abort(400, description=str(error))
        return jsonify(store.summary()), 201

    bp.add_url_rule(f"/stores/{store_rule}", view_func=get_store, methods=["GET"])
    bp.add_url_rule(f"/stores/{store_rule}/faults", view_func=faults, methods=["POST", "DELETE"])
    return bp


def reset():
    current_sandbox().reset()
    return jsonify(ok=True)


def get_store(key):
    return jsonify(store_or_404(key).summary())


def faults(key):
    """``POST {kind, count?, <the platform's fault options>}`` queues faults; ``DELETE`` clears them."""
    store = store_or_404(key)
    if request.method == "DELETE":
        store.clear_faults()
        return jsonify(faults=[])
    body = json_body()
    try:
        store.add_fault(body.pop("kind", ""), count=int(body.pop("count", 1)), **{
            k: v for k, v in body.items() if k in store.fault_type.options()})
    except (TypeError, ValueError) as error:
        abort(400, description=str(error))
    return jsonify(faults=[f.to_json() for f in store.faults]), 201
