"""``FakeStore``: a real HTTP server that holds orders and fulfillments and signs its webhooks
(hex HMAC-SHA256 of the body with the app secret, header ``X-Fake-Signature``)."""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading

import requests
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

APP_SECRET = "fake-app-secret"
TOKEN = "fake-token"


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


class FakeStore:
    def __init__(self):
        self.orders: dict[str, dict] = {}
        self.fulfillments: dict[str, list[dict]] = {}
        self.webhook_url: str | None = None
        self._ids = itertools.count(900)
        self._lock = threading.Lock()
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "FakeStore":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add_order(self, order_id: str, lines: dict[str, int]) -> None:
        self.orders[order_id] = {"id": order_id, "name": f"#F{order_id}", "fulfillment_status": "unfulfilled",
                                 "line_items": [{"id": k, "title": f"Item {k}", "quantity": q}
                                                for k, q in lines.items()]}
        self.fulfillments[order_id] = []

    def send_webhook(self, event: str, order_id: str, secret: str = APP_SECRET) -> requests.Response:
        body = json.dumps({"store": self.url, "event": event, "id": order_id}).encode()
        return requests.post(self.webhook_url, data=body, timeout=5,
                             headers={"Content-Type": "application/json", "X-Fake-Signature": sign(body, secret)})

    def wsgi(self, environ, start_response):
        request = Request(environ)
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return Response("bad token", 401)(environ, start_response)
        with self._lock:
            status, answer = self._route(request, request.path.strip("/").split("/"))
        return Response(json.dumps(answer), status, content_type="application/json")(environ, start_response)

    def _route(self, request, parts):
        if parts == ["webhooks"] and request.method == "PUT":
            self.webhook_url = request.json["url"]
            return 200, {}
        if len(parts) < 2 or parts[0] != "orders" or parts[1] not in self.orders:
            return 404, {"error": "no such order"}
        order = self.orders[parts[1]]
        if len(parts) == 2:
            return 200, order
        if request.method == "GET":
            return 200, self.fulfillments[order["id"]]
        if request.method == "POST":
            fulfillment = {"id": next(self._ids), **request.json}
            self.fulfillments[order["id"]].append(fulfillment)
            order["fulfillment_status"] = "fulfilled"
            return 201, {**fulfillment, "order_fulfillment_status": "fulfilled"}
        self.fulfillments[order["id"]] = [f for f in self.fulfillments[order["id"]] if str(f["id"]) != parts[3]]
        return 200, {}
