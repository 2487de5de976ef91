"""``/stores/<name>/wp-json/…``: the store's REST API, checked the way WooCommerce 10.0.2 checks it.

Order of checks for every request (as the real store does them): scripted fault →
OAuth (401 with WooCommerce's exact codes) → the key's read/write permission → route
(404 ``rest_no_route``, which is also what a backend the store does not have answers) →
the endpoint's own permission (401 ``woocommerce_rest_cannot_*`` for an anonymous caller,
which is what keys sent as Basic auth or in the query string over http amount to) → the
resource. Every request is logged with its time, route, status and any fault.
"""
from __future__ import annotations

import json
import re
import time

from flask import Blueprint, Response, request

from sandbox.common.control import current_sandbox
from sandbox.woocommerce import oauth, resources as r

bp = Blueprint("woo_rest", __name__)
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
ST = r"(?:wc-shipment-tracking/v3|wc-ast/v3|wc/v3)"
NATIVE, TRACKING = "native", "shipment_tracking"
ROUTES = [(set(methods), re.compile(f"^{pattern}$"), handler, backend) for methods, pattern, handler, backend in (
    (("GET",), r"wc/v3/orders", r.list_orders, None),
    (("GET",), r"wc/v3/orders/(\d+)", r.get_order, None),
    (("POST", "PUT", "PATCH"), r"wc/v3/orders/(\d+)", r.update_order, None),
    (("GET",), r"wc/v3/orders/(\d+)/notes", r.list_notes, None),
    (("POST",), r"wc/v3/orders/(\d+)/notes", r.create_note, None),
    (("GET",), r"wc/v3/orders/(\d+)/notes/(\d+)", r.get_note, None),
    (("DELETE",), r"wc/v3/orders/(\d+)/notes/(\d+)", r.delete_note, None),
    (("GET",), r"wc/v3/orders/(\d+)/fulfillments", r.list_fulfillments, NATIVE),
    (("POST",), r"wc/v3/orders/(\d+)/fulfillments", r.create_fulfillment, NATIVE),
    (("GET",), r"wc/v3/orders/(\d+)/fulfillments/(\d+)", r.get_fulfillment, NATIVE),
    (("DELETE",), r"wc/v3/orders/(\d+)/fulfillments/(\d+)", r.delete_fulfillment, NATIVE),
    (("GET",), ST + r"/orders/(\d+)/shipment-trackings", r.list_trackings, TRACKING),
    (("POST",), ST + r"/orders/(\d+)/shipment-trackings", r.create_tracking, TRACKING),
    (("GET",), ST + r"/orders/(\d+)/shipment-trackings/providers", r.providers, TRACKING),
    (("GET",), ST + r"/orders/(\d+)/shipment-trackings/([a-fA-F0-9]{0,32})", r.get_tracking, TRACKING),
    (("DELETE",), ST + r"/orders/(\d+)/shipment-trackings/([a-fA-F0-9]{0,32})", r.delete_tracking, TRACKING),
    (("GET",), r"wc/v3/system_status", r.system_status, None),
    (("GET",), r"wc/v3/webhooks", r.list_webhooks, None),
    (("POST",), r"wc/v3/webhooks", r.create_webhook, None),
    (("GET",), r"wc/v3/webhooks/(\d+)", r.get_webhook, None),
    (("POST", "PUT", "PATCH"), r"wc/v3/webhooks/(\d+)", r.update_webhook, None),
    (("DELETE",), r"wc/v3/webhooks/(\d+)", r.delete_webhook, None),
)]
SHOP_MANAGERS = ("administrator", "shop_manager")


@bp.route("/stores/<name>/wp-json", defaults={"route": ""}, methods=METHODS)
@bp.route("/stores/<name>/wp-json/", defaults={"route": ""}, methods=METHODS)
@bp.route("/stores/<name>/wp-json/<path:route>", methods=METHODS)
def rest(name: str, route: str):
    store = current_sandbox().stores.get(name)
    if store is None:
        return Response("<h1>Not Found</h1>", 404, {"Content-Type": "text/html"})
    route = route.strip("/")
    entry = {"t": time.time(), "monotonic": time.monotonic(), "method": request.method, "route": route,
             "query": {k: ("…" if k in ("oauth_signature", "consumer_secret") else v) for k, v in request.args.items()},
             "body": request.get_json(silent=True), "key_id": None, "fault": None, "status": None}
    fault = store.take_fault(request.method, route)
    if fault is not None:
        entry["fault"] = fault.kind
    if fault is not None and not fault.applies_request:
        if fault.delays_answer:
            time.sleep(fault.seconds)
        status, body, headers = fault.response()
    else:
        status, body, headers = _handle(store, route, entry)
        if fault is not None:  # lost_response: done, but the answer comes too late
            time.sleep(fault.seconds)
    entry["status"] = status
    with store.lock:
        store.request_log.append(entry)
    return Response(body, status, headers)


def _handle(store, route: str, entry: dict) -> tuple[int, bytes, dict]:
    method = request.method
    if route == "":
        return _json(200, _index(store, request.args.get("_fields")), {})
    try:
        key = _authenticate(store, method)
        entry["key_id"] = key and key["key_id"]
        handler, groups = _match(store, method, route)
        if key is None:
            raise oauth.not_allowed(method, 401)
        if key.get("role") not in SHOP_MANAGERS:
            raise oauth.not_allowed(method, 403)
    except oauth.AuthError as error:
        return _json(error.status, {"code": error.code, "message": error.message, "data": {"status": error.status}}, {})
    except r.ApiError as error:
        return _json(error.status, error.body(), {})
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        payload = request.form.to_dict()
    try:
        status, body, headers = handler(store, payload, request.args, *groups)
    except r.ApiError as error:
        return _json(error.status, error.body(), {})
    return _json(status, body, headers)


def _authenticate(store, method: str) -> dict | None:
    """OAuth only: this store is served over plain http, so Basic auth and query-string
    keys are ignored, exactly as a real store ignores them there."""
    params = oauth.oauth_params(list(request.args.items(multi=True)), list(request.form.items(multi=True)),
                                request.headers.get("Authorization"))
    relative_path = request.path[len(f"/stores/{store.name}"):]
    with store.lock:
        key = oauth.authenticate(params, method, store.url, relative_path, store.keys, store.nonces)
    if key is not None and (error := oauth.permission_error(key, method)) is not None:
        raise error
    return key


def _match(store, method: str, route: str):
    for methods, pattern, handler, backend in ROUTES:
        match = pattern.match(route)
        if match and method in methods and (backend is None or backend == store.backend):
            return handler, match.groups()
    raise r.ApiError(404, "rest_no_route", "No route was found matching the URL and request method.")


def _index(store, fields: str | None) -> dict:
    namespaces = ["oembed/1.0", "wc/v1", "wc/v2", "wc/v3", "wc/store/v1", "wp/v2"]
    routes = {"/": {"namespace": "", "methods": ["GET"]},
              "/wc/v3/orders": {"namespace": "wc/v3", "methods": ["GET", "POST"]},
              "/wc/v3/orders/(?P<id>[\\d]+)": {"namespace": "wc/v3", "methods": ["GET", "POST", "PUT", "PATCH", "DELETE"]},
              "/wc/v3/orders/(?P<order_id>[\\d]+)/notes": {"namespace": "wc/v3", "methods": ["GET", "POST"]},
              "/wc/v3/webhooks": {"namespace": "wc/v3", "methods": ["GET", "POST"]}}
    if store.backend == TRACKING:
        namespaces[1:1] = ["wc-ast/v3"]
        namespaces.append("wc-shipment-tracking/v3")
        routes["/wc-shipment-tracking/v3/orders/(?P<order_id>[\\d]+)/shipment-trackings"] = {
            "namespace": "wc-shipment-tracking/v3", "methods": ["GET", "POST"]}
    if store.backend == NATIVE:
        routes["/wc/v3/orders/(?P<order_id>[\\d]+)/fulfillments"] = {"namespace": "wc/v3", "methods": ["GET", "POST"]}
    index = {"name": f"Sandbox store {store.name}", "description": "", "url": store.url, "home": store.url,
             "gmt_offset": 0, "timezone_string": "UTC", "namespaces": namespaces, "authentication": [],
             "routes": routes, "_links": {"help": [{"href": "https://developer.wordpress.org/rest-api/"}]}}
    if fields:  # WordPress filters any response by ``_fields`` (top-level keys here)
        wanted = {f.strip().split(".")[0] for f in fields.split(",")}
        index = {k: v for k, v in index.items() if k in wanted}
    return index


def _json(status: int, body, headers: dict) -> tuple[int, bytes, dict]:
    return status, json.dumps(body).encode(), {"Content-Type": "application/json; charset=UTF-8", **headers}
