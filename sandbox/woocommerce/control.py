"""Scripting the sandbox: read-outs for tests (Python) and the same control over HTTP (``/_sandbox/…``).

Python (tests, the demo)::

    store = sandbox.create_store(backend="native")        # or "shipment_tracking", "none"
    order = store.create_order([{"name": "Mug", "quantity": 2}])
    store.add_fault("503", count=2); store.add_fault("429", retry_after=3)
    store.add_fault("lost_response", method="POST", path="shipment-trackings", seconds=3)
    store.revoke_key(); store.set_tracking_plugin(False)   # AST deactivated: its routes 404
    store.tracking_items(order["id"]); store.note_list(order["id"]); store.order_status(order["id"])
    store.fulfillment_list(order["id"]); store.webhook_list(); store.requests(method="POST")
    store.customer_view(order["id"])   # notes, tracking and e-mails as the customer sees them

HTTP (the same, for a sandbox started with ``python -m sandbox.woocommerce``)::

    POST   /_sandbox/reset
    POST   /_sandbox/stores                       {name?, backend?, allow_http_callback?, webhook_delay?, max_webhook_failures?}
    GET    /_sandbox/stores/<name>
    POST   /_sandbox/stores/<name>/orders          {line_items?, status?}
    PUT    /_sandbox/stores/<name>/orders/<id>     {status?, customer_note?}
    DELETE /_sandbox/stores/<name>/orders/<id>
    GET    /_sandbox/stores/<name>/orders/<id>     → {order, trackings, notes, fulfillments, customer_view}
    POST   /_sandbox/stores/<name>/faults          {kind, method?, path?, count?, retry_after?, seconds?, status?}
    DELETE /_sandbox/stores/<name>/faults
    POST   /_sandbox/stores/<name>/plugins         {shipment_tracking: bool} (AST on/off at run time)
    POST   /_sandbox/stores/<name>/keys            {permissions?} → a key (skip the authorize page)
    POST   /_sandbox/stores/<name>/revoke          {consumer_key?}
    GET    /_sandbox/stores/<name>/webhooks | /deliveries | /requests
"""
from __future__ import annotations

from flask import abort, jsonify, request

from sandbox.common.control import control_blueprint, json_body, store_or_404

STORE_OPTIONS = ("name", "backend", "allow_http_callback", "webhook_delay", "max_webhook_failures", "language")


def _store_options(body: dict) -> dict:
    return {k: body[k] for k in STORE_OPTIONS if k in body}


# /reset, /stores, /stores/<name> and its /faults come with the blueprint (sandbox.common.control).
bp = control_blueprint("woo_control", __name__, "<key>", _store_options)


class StoreReadouts:
    """What a test asserts on (mixed into SandboxStore)."""

    def order_status(self, order_id: int) -> str:
        with self.lock:
            return self.orders[int(order_id)]["status"]

    def tracking_items(self, order_id: int) -> list[dict]:
        from sandbox.woocommerce.model import tracking_json

        with self.lock:
            return [tracking_json(item) for item in self.trackings[int(order_id)]]

    def note_list(self, order_id: int, customer_only: bool = False) -> list[dict]:
        notes = self.list_notes(int(order_id))
        return [n for n in notes if n["customer_note"]] if customer_only else notes

    def customer_view(self, order_id: int) -> list[str]:
        """Every text the customer sees of an order: the customer notes on their order page,
        the tracking shown there, and the e-mails they got — as WordPress renders them."""
        from sandbox.woocommerce.model import texturize

        with self.lock:
            notes = [texturize(n["note"]) for n in self.notes[int(order_id)] if n["customer_note"]]
            mails = [f"{m['subject']}\n{m['body']}" for m in self.emails[int(order_id)]]
            return notes + [self._tracking_block(int(order_id))] + mails

    def fulfillment_list(self, order_id: int) -> list[dict]:
        return self.live_fulfillments(int(order_id))

    def webhook_list(self) -> list[dict]:
        with self.lock:
            return [{k: v for k, v in w.items() if k != "secret"} for w in self.webhooks.values()]

    def webhook_secret(self, webhook_id: int) -> str:
        with self.lock:
            return self.webhooks[webhook_id]["secret"]

    def requests(self, method: str | None = None, route: str | None = None) -> list[dict]:
        """The request log (oldest first), optionally only one method / routes containing ``route``."""
        with self.lock:
            return [dict(e) for e in self.request_log
                    if (method is None or e["method"] == method.upper()) and (route is None or route in e["route"])]

    def deliveries(self, kind: str | None = None) -> list[dict]:
        """Webhook deliveries, creation pings and wc-auth callbacks this store sent."""
        with self.lock:
            return [dict(e) for e in self.delivery_log if kind is None or e["kind"] == kind]

    def summary(self) -> dict:
        with self.lock:
            return {"name": self.name, "url": self.url, "backend": self.backend, "orders": sorted(self.orders),
                    "keys": len(self.keys), "webhooks": len(self.webhooks), "faults": [f.to_json() for f in self.faults],
                    "allow_http_callback": self.allow_http_callback}


@bp.post("/stores/<name>/orders")
def create_order(name):
    body = json_body()
    try:
        order = store_or_404(name).create_order(body.get("line_items"), status=body.get("status", "processing"))
    except ValueError as error:
        abort(400, description=str(error))
    return jsonify(order), 201


@bp.route("/stores/<name>/orders/<int:order_id>", methods=["GET", "PUT", "DELETE"])
def order(name, order_id):
    store = store_or_404(name)
    if order_id not in store.orders:
        abort(404, description="no such order")
    if request.method == "PUT":
        try:
            return jsonify(store.update_order(order_id, json_body()))
        except ValueError as error:
            abort(400, description=f"invalid {error}")
    if request.method == "DELETE":
        store.delete_order(order_id)
        return jsonify(deleted=order_id)
    return jsonify(order=store.order_json(order_id), trackings=store.tracking_items(order_id),
                   notes=store.note_list(order_id), fulfillments=store.fulfillment_list(order_id),
                   customer_view=store.customer_view(order_id))


@bp.post("/stores/<name>/plugins")
def plugins(name):
    """``{"shipment_tracking": true|false}``: activate or deactivate Advanced Shipment Tracking."""
    store, body = store_or_404(name), json_body()
    if not isinstance(body.get("shipment_tracking"), bool):
        abort(400, description="shipment_tracking must be true or false")
    try:
        store.set_tracking_plugin(body["shipment_tracking"])
    except ValueError as error:
        abort(400, description=str(error))
    return jsonify(store.summary())


@bp.post("/stores/<name>/keys")
def issue_key(name):
    return jsonify(store_or_404(name).issue_key(json_body().get("permissions", "read_write"))), 201


@bp.post("/stores/<name>/revoke")
def revoke(name):
    return jsonify(revoked=store_or_404(name).revoke_key(json_body().get("consumer_key")))


@bp.get("/stores/<name>/webhooks")
def webhooks(name):
    return jsonify(store_or_404(name).webhook_list())


@bp.get("/stores/<name>/deliveries")
def deliveries(name):
    return jsonify(store_or_404(name).deliveries(request.args.get("kind")))


@bp.get("/stores/<name>/requests")
def requests_log(name):
    return jsonify(store_or_404(name).requests(request.args.get("method"), request.args.get("route")))
