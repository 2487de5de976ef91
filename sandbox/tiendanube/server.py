"""``TiendanubeSandbox``: one real HTTP server playing Tiendanube's auth origin and API origin
for one app and any number of stores. Both origins are ``sandbox.url``.

Served by werkzeug with a thread per request (a scripted slow answer must not hold up the
others). Webhook deliveries run on a background thread (``delivery``).
"""
from __future__ import annotations

import threading

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException
from werkzeug.serving import WSGIRequestHandler, make_server

from sandbox.tiendanube import admin, api, control, ids, oauth
from sandbox.tiendanube.delivery import Deliverer
from sandbox.tiendanube.model import SandboxStore

APP_ID = "4242"
CLIENT_SECRET = "sandbox-tiendanube-client-secret-not-for-production"
SCOPES = "read_orders,write_orders"


class TiendanubeSandbox:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, app_id: str = APP_ID,
                 client_secret: str = CLIENT_SECRET, scopes: str = SCOPES, redirect_url: str = "",
                 app_url: str = "", webhook_time_scale: float = 1.0, delivery_timeout: float = 3.0):
        self.host, self.port = host, port
        self.app_id, self.client_secret, self.scopes, self.redirect_url = str(app_id), client_secret, scopes, redirect_url
        self.app_url = app_url  # the app's URL (Partner Portal): what the admin frames (admin.py)
        self.code_ttl = 300.0
        self.token_error_status = 200
        self.user_id_as_number = True
        self.lock = threading.RLock()
        self.stores: dict[int, SandboxStore] = {}
        self.codes: dict[str, tuple[int, float]] = {}
        self.deliverer = Deliverer(self, webhook_time_scale, delivery_timeout)
        self.app = build_app(self)
        self.url = ""
        self._server = None
        self._thread = None

    def start(self) -> "TiendanubeSandbox":
        self._server = make_server(self.host, self.port, self.app, threaded=True, request_handler=_QuietHandler)
        self.port = self._server.server_port
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="tiendanube-sandbox", daemon=True)
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

    def create_store(self, store_id: int | None = None, **options) -> SandboxStore:
        """A new store (options: name, plan basic|next|evolution, auth_styles,
        allow_http_webhooks, bucket)."""
        with self.lock:
            store_id = int(store_id or ids.next_store_id())
            if store_id in self.stores:
                raise ValueError(f"store {store_id} exists")
            store = SandboxStore(self, store_id, **options)
            self.stores[store_id] = store
            return store

    def install(self, store: SandboxStore) -> str:
        """A token for the store without the browser dance (tests of the API alone)."""
        return store.issue_token()

    def remove_store(self, store_id: int) -> None:
        with self.lock:
            self.stores.pop(int(store_id), None)
        self.deliverer.drop(int(store_id))

    def reset(self) -> None:
        for store_id in list(self.stores):
            self.remove_store(store_id)

    def wait_for_deliveries(self, timeout: float = 10.0) -> bool:
        return self.deliverer.wait_idle(timeout)


class _QuietHandler(WSGIRequestHandler):
    """The request log lives in each store (``store.requests()``), not on stderr."""

    def log_request(self, *args, **kwargs):
        pass


def build_app(sandbox: TiendanubeSandbox) -> Flask:
    app = Flask("tiendanube_sandbox")
    app.config["TIENDANUBE_SANDBOX"] = sandbox
    for blueprint in (oauth.bp, admin.bp, control.bp, api.bp):
        app.register_blueprint(blueprint)

    @app.errorhandler(HTTPException)
    def _errors(error: HTTPException):
        return jsonify(code=error.code, message=error.name, description=error.description), error.code

    return app
