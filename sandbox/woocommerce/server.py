"""``WooSandbox``: one real HTTP server playing any number of WooCommerce stores.

Each store lives under ``/stores/<name>``, so its store URL (and WordPress home URL) is
``http://127.0.0.1:PORT/stores/<name>``. Served by werkzeug with a thread per request:
a store that pings a webhook URL or posts keys to a callback before answering must not
block the other requests meanwhile.
"""
from __future__ import annotations

import threading
import uuid

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException
from werkzeug.serving import WSGIRequestHandler, make_server

from sandbox.woocommerce import api, control, wcauth
from sandbox.woocommerce.delivery import Deliverer
from sandbox.woocommerce.model import SandboxStore


class WooSandbox:
    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.host, self.port = host, port
        self.lock = threading.RLock()
        self.stores: dict[str, SandboxStore] = {}
        self.deliverer = Deliverer()
        self.app = build_app(self)
        self.url = ""
        self._server = None
        self._thread = None

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> "WooSandbox":
        self._server = make_server(self.host, self.port, self.app, threaded=True, request_handler=_QuietHandler)
        self.port = self._server.server_port
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="woo-sandbox", daemon=True)
        self._thread.start()
        self.deliverer.start()
        return self

    def stop(self) -> None:
        self.deliverer.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- stores ---------------------------------------------------------------------------

    def create_store(self, name: str | None = None, backend: str = "shipment_tracking", *,
                     allow_http_callback: bool = False, webhook_delay: float = 0.0,
                     max_webhook_failures: int = 5, language: str = "en_US") -> SandboxStore:
        """A new empty store. ``backend``: ``native`` (WooCommerce 10.1+ fulfillments),
        ``shipment_tracking`` (the Shipment Tracking API plugin) or ``none`` (notes only)."""
        name = name or "shop-" + uuid.uuid4().hex[:8]
        with self.lock:
            if name in self.stores:
                raise ValueError(f"store {name!r} exists")
            store = SandboxStore(self, name, backend, allow_http_callback=allow_http_callback,
                                 webhook_delay=webhook_delay, max_webhook_failures=max_webhook_failures,
                                 language=language)
            self.stores[name] = store
            return store

    def store(self, name: str) -> SandboxStore:
        return self.stores[name]

    def remove_store(self, name: str) -> None:
        with self.lock:
            self.stores.pop(name, None)
        self.deliverer.drop(name)

    def reset(self) -> None:
        for name in list(self.stores):
            self.remove_store(name)

    def wait_for_deliveries(self, timeout: float = 10.0) -> bool:
        return self.deliverer.wait_idle(timeout)


class _QuietHandler(WSGIRequestHandler):
    """The request log lives in each store (``store.requests()``), not on stderr."""

    def log_request(self, *args, **kwargs):
        pass


def build_app(sandbox: WooSandbox) -> Flask:
    app = Flask("woo_sandbox")
    app.config["WOO_SANDBOX"] = sandbox
    for blueprint in (api.bp, wcauth.bp, control.bp):
        app.register_blueprint(blueprint)

    @app.errorhandler(HTTPException)
    def _errors(error: HTTPException):
        return jsonify(error=error.description), error.code

    return app
