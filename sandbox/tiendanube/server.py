"""``TiendanubeSandbox``: one real HTTP server playing Tiendanube's auth origin and API origin
for one app and any number of stores. Both origins are ``sandbox.url``.

The server, its lifecycle and the store registry are ``sandbox.common.server.StoreSandbox``'s;
webhook deliveries run on a background thread (``delivery``).
"""
from __future__ import annotations

from werkzeug.exceptions import HTTPException

from sandbox.common.server import StoreSandbox
from sandbox.tiendanube import admin, api, control, ids, oauth
from sandbox.tiendanube.delivery import Deliverer
from sandbox.tiendanube.model import SandboxStore

APP_ID = "4242"
CLIENT_SECRET = "sandbox-tiendanube-client-secret-not-for-production"
SCOPES = "read_orders,write_orders"


class TiendanubeSandbox(StoreSandbox):
    app_name = "tiendanube_sandbox"
    blueprints = (oauth.bp, admin.bp, control.bp, api.bp)

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, app_id: str = APP_ID,
                 client_secret: str = CLIENT_SECRET, scopes: str = SCOPES, redirect_url: str = "",
                 app_url: str = "", webhook_time_scale: float = 1.0, delivery_timeout: float = 3.0):
        super().__init__(host, port, Deliverer(self, webhook_time_scale, delivery_timeout))
        self.app_id, self.client_secret, self.scopes, self.redirect_url = str(app_id), client_secret, scopes, redirect_url
        self.app_url = app_url  # the app's URL (Partner Portal): what the admin frames (admin.py)
        self.code_ttl = 300.0
        self.token_error_status = 200
        self.user_id_as_number = True
        self.codes: dict[str, tuple[int, float]] = {}

    @staticmethod
    def error_json(error: HTTPException) -> dict:
        return {"code": error.code, "message": error.name, "description": error.description}

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
        super().remove_store(int(store_id))
