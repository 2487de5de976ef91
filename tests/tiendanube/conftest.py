"""Tiendanube fixtures: the sandbox as a real server, fresh installed stores, connectors
pointed at it, and a webhook receiver that records (and can refuse) deliveries.

- ``tn_sandbox``   (tests/tiendanube/driver.py) one TiendanubeSandbox for the session.
- ``tn_store``     a fresh store with the app installed (``tn_store.token``), removed after.
- ``tn_config``    a TiendanubeConfig aimed at the sandbox (short timeout and bucket pause).
- ``connect(store, **config)`` a TiendanubeConnector for a sandbox store.
- ``receiver``     a local HTTP endpoint: ``.url``, ``.hits`` (raw body, headers, time),
                   ``.fail_next(n)`` answers 500 to the next n deliveries.
- ``api(store)``   a requests helper calling the sandbox's API the documented way.
"""
from __future__ import annotations

import threading
import time

import pytest
import requests
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from connectors.base import Credentials, StoreAccess
from connectors.tiendanube import TiendanubeConfig, TiendanubeConnector
from sandbox.tiendanube import APP_ID, CLIENT_SECRET

USER_AGENT = "ShipSync tests (tests@shipsync.example)"


@pytest.fixture
def tn_store(tn_sandbox):
    store = tn_sandbox.create_store(allow_http_webhooks=True)
    tn_sandbox.install(store)  # sets store.token
    yield store
    tn_sandbox.remove_store(store.store_id)


@pytest.fixture
def tn_config(tn_sandbox) -> TiendanubeConfig:
    return TiendanubeConfig(app_id=APP_ID, client_secret=CLIENT_SECRET, auth_origin=tn_sandbox.url,
                            api_origin=tn_sandbox.url, timeout=1.0, user_agent=USER_AGENT, max_pause=1.0)


@pytest.fixture
def connect(tn_config):
    def make(store, token: str | None = None, options: dict | None = None, **config) -> TiendanubeConnector:
        access = StoreAccess("tiendanube", str(store.store_id), Credentials(access_token=token or store.token),
                             options or {})
        settings = tn_config if not config else TiendanubeConfig(**{**tn_config.__dict__, **config})
        return TiendanubeConnector(access, settings)
    return make


class Api:
    """The sandbox API called as the documentation says (for tests of the sandbox itself)."""

    def __init__(self, sandbox, store, version: str = "2025-03"):
        self.base = f"{sandbox.url}/{version}/{store.store_id}"
        self.store = store

    def headers(self, **extra) -> dict:
        headers = {"Authentication": f"bearer {self.store.token}", "User-Agent": USER_AGENT}
        headers.update(extra)
        return {k: v for k, v in headers.items() if v is not None}

    def request(self, method: str, resource: str, headers: dict | None = None, **kwargs) -> requests.Response:
        return requests.request(method, f"{self.base}/{resource}", headers=headers or self.headers(), timeout=10,
                                **kwargs)


@pytest.fixture
def api(tn_sandbox):
    return lambda store, **kw: Api(tn_sandbox, store, **kw)


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


class Receiver:
    def __init__(self):
        self.hits: list[dict] = []
        self._fail = 0
        self._lock = threading.Lock()
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self.server.server_port}/webhooks/tiendanube"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def fail_next(self, count: int) -> None:
        with self._lock:
            self._fail = count

    def wsgi(self, environ, start_response):
        request = Request(environ)
        with self._lock:
            failing = self._fail > 0
            self._fail -= failing
            self.hits.append({"body": request.get_data(), "headers": dict(request.headers),
                              "at": time.monotonic(), "answered": 500 if failing else 200})
        return Response("no" if failing else "ok", 500 if failing else 200)(environ, start_response)

    def wait_for(self, count: int, timeout: float = 15.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.hits) < count:
            time.sleep(0.02)
        return list(self.hits)


@pytest.fixture
def receiver():
    receiver = Receiver()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()
    receiver.thread.join(timeout=5)


@pytest.fixture
def redirect_to_app(tn_sandbox, settings):
    """The sandbox app's redirect URL is ShipSync's callback (an app setting at Tiendanube)."""
    before = tn_sandbox.redirect_url
    tn_sandbox.redirect_url = settings.app_url + "/auth/tiendanube/callback"
    yield tn_sandbox.redirect_url
    tn_sandbox.redirect_url = before


@pytest.fixture
def to_live_app(tn_sandbox, live_server):
    """The same, for the app served for real (``live_server``): returns its base URL."""
    before = tn_sandbox.redirect_url
    tn_sandbox.redirect_url = f"{live_server}/auth/tiendanube/callback"
    yield live_server
    tn_sandbox.redirect_url = before
