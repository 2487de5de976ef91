"""Run the sandbox store as a real HTTP server in a background thread."""
from __future__ import annotations

from werkzeug.serving import make_server

from config import SANDBOX_SHOPIFY_API_KEY, SANDBOX_SHOPIFY_API_SECRET
from sandbox.common.server import BackgroundServer

from .app import create_app
from .schema import SCHEMA_VERSION, warm_up_in_background
from .store import ShopifyStore


class SandboxServer:
    """``SandboxServer().start()`` → serving on 127.0.0.1:<free port>.

    ``url`` is the server's base URL, ``admin_origin`` the ``SHOPIFY_ADMIN_ORIGIN``
    template that points ShipSync at it, ``store`` the control object.
    """

    def __init__(self, api_key: str = SANDBOX_SHOPIFY_API_KEY, api_secret: str = SANDBOX_SHOPIFY_API_SECRET,
                 api_version: str = SCHEMA_VERSION, host: str = "127.0.0.1"):
        self.store = ShopifyStore(api_key, api_secret, api_version)
        self.host = host
        self._server: BackgroundServer | None = None

    def start(self, port: int = 0, *, warm: bool = True) -> "SandboxServer":
        """Listen (``port=0``: a free one) and serve in a daemon thread; returns self."""
        if warm:
            warm_up_in_background()
        self._server = BackgroundServer(create_app(self.store), self.host, port, "shopify-sandbox")
        return self

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def admin_origin(self) -> str:
        return self.url + "/shops/{shop}"

    def serve_forever(self, port: int) -> None:
        """Serve in the calling thread (``python -m sandbox.shopify``)."""
        warm_up_in_background()
        make_server(self.host, port, create_app(self.store), threaded=True).serve_forever()

    def stop(self) -> None:
        if self._server is not None:
            self.store.reset()  # wakes requests sleeping in a fault
            self._server.stop()
            self._server = None

    def __enter__(self):
        return self if self._server else self.start()

    def __exit__(self, *exc):
        self.stop()
