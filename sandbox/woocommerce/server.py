"""``WooSandbox``: one real HTTP server playing any number of WooCommerce stores.

Each store lives under ``/stores/<name>``, so its store URL (and WordPress home URL) is
``http://127.0.0.1:PORT/stores/<name>``. The server, its lifecycle and the store registry are
``sandbox.common.server.StoreSandbox``'s.
"""
from __future__ import annotations

import uuid

from werkzeug.exceptions import HTTPException

from sandbox.common.server import StoreSandbox
from sandbox.woocommerce import api, control, wcauth
from sandbox.woocommerce.delivery import Deliverer
from sandbox.woocommerce.model import SandboxStore


class WooSandbox(StoreSandbox):
    app_name = "woo_sandbox"
    blueprints = (api.bp, wcauth.bp, control.bp)

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        super().__init__(host, port, Deliverer())

    @staticmethod
    def error_json(error: HTTPException) -> dict:
        return {"error": error.description}

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
