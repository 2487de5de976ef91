"""``/{version}/{store_id}/…``: the store's REST API, checked in the order the platform does.

Every request: scripted fault → ``User-Agent`` (400 without one) → the credentials header
(401 "Invalid access token" for a wrong header name, ``Bearer`` instead of ``bearer``
unless the store accepts the 2026-05 ``Authorization: Bearer`` reading, a replaced or
another store's token) → 402 when suspended → the leaky bucket (429) → route (404) →
``Content-Type`` for bodies (415) and JSON (400 "Problems parsing JSON") → the resource.
Every answer past the token check carries the ``x-rate-limit-*`` headers; every request
is logged on arrival with its time, resource and fault, and its status once answered.
"""
from __future__ import annotations

import json
import re
import time
from datetime import datetime
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, request

from sandbox.common.control import current_sandbox

bp = Blueprint("tiendanube_api", __name__)
VERSION = re.compile(r"^(v1|\d{4}-\d{2}|unstable)$")
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]
EVENTS = frozenset(
    [f"app/{e}" for e in ("uninstalled", "suspended", "resumed")]
    + [f"order/{e}" for e in ("created", "updated", "paid", "packed", "fulfilled", "cancelled", "edited", "pending",
                              "voided", "unpacked", "custom_fields_updated")]
    + [f"fulfillment_order/{e}" for e in ("status_updated", "tracking_event_created", "tracking_event_updated",
                                          "tracking_event_deleted")]
    + [f"product/{e}" for e in ("created", "updated", "deleted")])
MAX_PER_PAGE, DEFAULT_PER_PAGE = 200, 30


class Answer(Exception):
    def __init__(self, status: int, body, headers: dict | None = None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


def _error(status: int, message: str, description: str) -> Answer:
    return Answer(status, {"code": status, "message": message, "description": description})


@bp.route("/<version>/<store_ref>/<path:resource>", methods=METHODS)
def rest(version: str, store_ref: str, resource: str):
    sandbox = current_sandbox()
    store = sandbox.stores.get(int(store_ref)) if store_ref.isdigit() else None
    if store is None or not VERSION.match(version):
        return Response(json.dumps({"code": 404, "message": "Not Found", "description": "Not Found"}), 404,
                        {"Content-Type": "application/json"})
    resource = resource.strip("/")
    entry = {"t": time.time(), "monotonic": time.monotonic(), "method": request.method, "version": version,
             "resource": resource, "query": dict(request.args), "body": request.get_json(silent=True),
             "user_agent": request.headers.get("User-Agent"), "fault": None, "status": None}
    with store.lock:  # logged on arrival (a slow answer's request is visible at once); status when answered
        store.request_log.append(entry)
    fault = store.take_fault(request.method, resource)
    entry["fault"] = fault.kind if fault else None
    metered = False  # whether the answer describes the bucket (only past the token check)
    try:
        if fault is not None and fault.kind == "429":
            store.bucket.hold_full(fault.seconds)
            raise Answer(*fault.response(), store.bucket.headers())
        if fault is not None and not fault.applies_request:
            if fault.delays_answer:
                time.sleep(fault.seconds)
            raise Answer(*fault.response())
        _check_caller(store)
        metered = True
        if store.suspended:
            raise _error(402, "Payment Required", "The store or the app has a pending payment")
        if not store.bucket.admit():
            raise _error(429, "Too Many Requests", "Rate limit exceeded")
        status, body, extra = _route(store, request.method, resource)
        if fault is not None:  # lost_response: done, but the answer comes too late
            time.sleep(fault.seconds)
    except Answer as answer:
        status, body, extra = answer.status, answer.body, answer.headers
    headers = {**(store.bucket.headers() if metered else {}), **extra}
    entry["status"] = status
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Response(b"" if request.method == "HEAD" else payload, status,
                    {"Content-Type": "application/json; charset=utf-8", **headers})


def _check_caller(store) -> None:
    if not request.headers.get("User-Agent", "").strip():
        raise _error(400, "Bad Request", "A User-Agent header naming your app and a contact is required")
    token = None
    value = request.headers.get("Authentication")
    if value is not None and value.startswith("bearer ") and "authentication" in store.auth_styles:
        token = value[len("bearer "):].strip()
    value = request.headers.get("Authorization")
    if token is None and value is not None and value.startswith("Bearer ") and "authorization" in store.auth_styles:
        token = value[len("Bearer "):].strip()
    if not token or token != store.token:
        raise _error(401, "Unauthorized", "Invalid access token")


def _body() -> dict:
    if request.method not in ("POST", "PUT", "PATCH"):
        return {}
    if not (request.mimetype or "").endswith("json"):
        raise _error(415, "Unsupported Media Type", "Content-Type must be application/json")
    try:
        body = json.loads(request.get_data() or b"null")
    except ValueError:
        raise Answer(400, {"error": "Problems parsing JSON"}) from None
    if not isinstance(body, dict):
        raise Answer(400, {"error": "Problems parsing JSON"})
    return body


ROUTES = []


def route(methods: str, pattern: str):
    def register(handler):
        ROUTES.append((set(methods.split()), re.compile(f"^{pattern}$"), handler))
        return handler
    return register


def _route(store, method: str, resource: str):
    for methods, pattern, handler in ROUTES:
        match = pattern.match(resource)
        if match and (method in methods or (method == "HEAD" and "GET" in methods)):
            result = handler(store, *match.groups())
            return result if len(result) == 3 else (*result, {})
    raise _error(404, "Not Found", f"No route for {method} {resource}")


def _found(records: dict, record_id: str, what: str) -> dict:
    record = records.get(int(record_id))
    if record is None:
        raise _error(404, "Not Found", f"{what} with such id does not exist")
    return record


def _order(store, order_id: str) -> dict:
    return _found(store.orders, order_id, "Order")


# --- store --------------------------------------------------------------------------------------
@route("GET", r"store")
def get_store(store):
    """``fields=a,b`` trims the answer, as on every resource."""
    data = store.store_json()
    wanted = [f for f in request.args.get("fields", "").split(",") if f]
    return 200, {k: v for k, v in data.items() if k in wanted} if wanted else data


# --- orders -------------------------------------------------------------------------------------
@route("GET", r"orders")
def list_orders(store):
    args = request.args
    try:
        page, per_page = int(args.get("page", 1)), int(args.get("per_page", DEFAULT_PER_PAGE))
        since_id = int(args.get("since_id", 0))
    except ValueError:
        raise Answer(422, {"page": ["page, per_page and since_id must be numbers"]}) from None
    if per_page > MAX_PER_PAGE or per_page < 1 or page < 1:
        raise Answer(422, {"per_page": [f"per_page must be between 1 and {MAX_PER_PAGE}"]})
    wanted = args.get("status", "any")
    with store.lock:
        orders = sorted(store.orders.values(), key=lambda o: o["id"])
        orders = [o for o in orders if wanted in ("any", o["status"]) and _within(o, args)
                  and o["id"] > since_id]
        last = (len(orders) + per_page - 1) // per_page
        if page > last:
            raise _error(404, "Not Found", f"Last page is {last}")
        chunk = [store.order_json(o["id"], in_list=True) for o in orders[(page - 1) * per_page:page * per_page]]
    return 200, chunk, {"x-total-count": str(len(orders)), "Link": _links(page, last)}


def _within(order: dict, args) -> bool:
    for field in ("created_at", "updated_at"):
        for suffix, keep in (("_min", lambda a, b: a >= b), ("_max", lambda a, b: a <= b)):
            value = args.get(field + suffix)
            if value and not keep(order[field], _parse_time(value, field + suffix)):
                return False
    return True


def _parse_time(value: str, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Answer(422, {field: ["invalid date"]}) from None
    if parsed.tzinfo is None:
        raise Answer(422, {field: ["the date needs a time zone"]})
    return parsed


def _links(page: int, last: int) -> str:
    base = urlsplit(request.url)._replace(query="")
    args = request.args.to_dict()

    def url(n: int) -> str:
        return base._replace(query=urlencode({**args, "page": n})).geturl()
    rels = [(1, "first"), (last, "last")] + ([(page + 1, "next")] if page < last else []) + (
        [(page - 1, "prev")] if page > 1 else [])
    return ", ".join(f'<{url(n)}>; rel="{rel}"' for n, rel in rels)


@route("GET", r"orders/(\d+)")
def get_order(store, order_id):
    _order(store, order_id)
    return 200, store.order_json(int(order_id), aggregates="fulfillment_orders" in request.args.get("aggregates", ""))


@route("POST", r"orders/(\d+)/cancel")
def cancel_order(store, order_id):
    order, body = _order(store, order_id), _body()
    if order["status"] == "cancelled":
        raise Answer(422, {"status": ["Order is already cancelled"]})
    return 200, store.cancel_order(order["id"], body.get("reason", "other"))


# --- fulfillment orders ---------------------------------------------------------------------------
@route("GET", r"orders/(\d+)/fulfillment-orders")
def list_fos(store, order_id):
    _order(store, order_id)
    return 200, store.fulfillment_orders(int(order_id))


def _fo(store, order_id: str, fo_id: str) -> dict:
    _order(store, order_id)
    fo = store.find_fo(int(order_id), fo_id)
    if fo is None:
        raise Answer(404, {"description": "Not Found", "message": "Fulfillment order not found"})
    return fo


@route("GET", r"orders/(\d+)/fulfillment-orders/([0-9A-Za-z]+)")
def get_fo(store, order_id, fo_id):
    return 200, store.fo_json(_fo(store, order_id, fo_id))


@route("PATCH", r"orders/(\d+)/fulfillment-orders/([0-9A-Za-z]+)")
def patch_fo(store, order_id, fo_id):
    _fo(store, order_id, fo_id)
    return store.patch_fo(int(order_id), fo_id, _body())


# --- webhooks --------------------------------------------------------------------------------------
def _webhook_problems(store, body: dict) -> dict:
    problems = {}
    if body.get("event") not in EVENTS:
        problems["event"] = ["Invalid event specified. Check the documentation for the list of events."]
    url = body.get("url")
    parts = urlsplit(url) if isinstance(url, str) else None
    host = (parts.hostname or "") if parts else ""
    local = host in ("localhost", "127.0.0.1", "::1") or host.endswith((".tiendanube.com", ".nuvemshop.com.br"))
    allowed_scheme = parts and (parts.scheme == "https" or (store.allow_http_webhooks and parts.scheme == "http"))
    if not parts or not host or not allowed_scheme or (local and not store.allow_http_webhooks):
        problems["url"] = ["invalid url specified"]
    return problems


@route("GET", r"webhooks")
def list_webhooks(store):
    return 200, store.webhook_list()


@route("POST", r"webhooks")
def create_webhook(store):
    body = _body()
    problems = _webhook_problems(store, body)
    if problems:
        raise Answer(422, problems)
    return 201, store.add_webhook(body["event"], body["url"])


def _webhook(store, webhook_id: str) -> dict:
    return _found(store.webhooks, webhook_id, "Webhook")


@route("GET", r"webhooks/(\d+)")
def get_webhook(store, webhook_id):
    return 200, dict(_webhook(store, webhook_id))


@route("PUT", r"webhooks/(\d+)")
def update_webhook(store, webhook_id):
    webhook, body = _webhook(store, webhook_id), _body()
    problems = _webhook_problems(store, {**webhook, **body})
    if problems:
        raise Answer(422, problems)
    with store.lock:
        webhook.update({k: body[k] for k in ("event", "url") if k in body})
        return 200, dict(webhook)


@route("DELETE", r"webhooks/(\d+)")
def delete_webhook(store, webhook_id):
    _webhook(store, webhook_id)
    with store.lock:
        store.webhooks.pop(int(webhook_id), None)
    return 200, {}
