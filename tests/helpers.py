"""Test helpers shared by every test module (loaded as a pytest plugin by conftest)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests

from webhooks.signatures import base64_hmac_sha256


# The first store call of any Shopify sync attempt (the cheap read, the full read, or the
# duplicate check of a retry): a fault aimed here fails an attempt before anything is written.
SHOPIFY_LOOKUPS = ["ShipSyncFulfillmentTargets", "ShipSyncFulfillmentOrders", "ShipSyncOrderFulfillments"]


def label_payload(order_id="5001", package_id="PKG-1", tracking="1Z999AA10123456784", items=None,
                  event="label.created", event_id=None, store="acme.myshopify.com", platform="shopify",
                  carrier="UPS"):
    return {
        "event": event,
        "event_id": event_id or f"evt-{package_id}-{event}-{tracking}",
        "platform": platform,
        "store": store,
        "order_id": str(order_id),
        "package": {
            "id": package_id,
            "tracking_number": tracking,
            "carrier": carrier,
            "tracking_url": f"https://www.ups.com/track?tracknum={tracking}",
            "items": items if items is not None else [{"line_item_id": "13001", "quantity": 1}],
        },
    }


def post_label(client, payload, secret=None, raw: bytes | None = None):
    secret = secret or client.application.config["SETTINGS"].label_webhook_secret
    body = raw if raw is not None else json.dumps(payload).encode()
    return client.post("/webhooks/labels", data=body, content_type="application/json",
                       headers={"X-Label-Signature": base64_hmac_sha256(secret, body)})


def session_token(settings, shop: str, **overrides) -> str:
    """An App Bridge session token as Shopify admin would hand it to the page."""
    now = int(time.time())
    claims = {"iss": f"https://{shop}/admin", "dest": f"https://{shop}", "aud": settings.shopify_api_key,
              "sub": "1", "exp": now + 60, "nbf": now - 1, "iat": now, "jti": str(now), "sid": "s"}
    claims.update(overrides)
    return jwt.encode(claims, settings.shopify_api_secret, algorithm="HS256")


def api_headers(settings, shop: str) -> dict:
    return {"Authorization": f"Bearer {session_token(settings, shop)}"}


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.05, message: str = "condition"):
    """Poll until ``predicate()`` is truthy; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


def install_shopify(client, shop: str) -> None:
    """Install the app into a sandbox shop through the real OAuth redirect dance."""
    start = client.get(f"/auth/shopify?shop={shop}")
    assert start.status_code == 302, start.data
    authorize = requests.get(start.headers["Location"], params={"auto": "1"}, allow_redirects=False, timeout=5)
    assert authorize.status_code == 302, authorize.text
    callback = urlsplit(authorize.headers["Location"])
    done = client.get(f"{callback.path}?{callback.query}")
    assert done.status_code == 302, done.data


def query_of(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def db_session(app):
    with app.extensions["db_sessionmaker"]() as session:
        yield session


def make_store(app, platform="shopify", domain="acme.myshopify.com", access_token="shpat_test", **fields):
    """A store row with encrypted credentials, for tests that are not about installing."""
    from connectors.base import Credentials
    from models import Store
    from stores import normalize_domain, save_credentials

    with app.extensions["db_sessionmaker"]() as session, session.begin():
        store = Store(platform=platform, domain=normalize_domain(platform, domain), name=domain, **fields)
        save_credentials(store, Credentials(access_token=access_token), app.extensions["shipsync"].cipher)
        session.add(store)
        session.flush()
        return store.id


def post_shopify_webhook(client, topic: str, payload: dict, shop: str = "acme.myshopify.com",
                         event_id: str | None = None, secret: str | None = None):
    """A webhook delivery as Shopify sends it: HMAC of the raw body with the app secret."""
    import uuid

    secret = secret or client.application.config["SETTINGS"].shopify_api_secret
    body = json.dumps(payload).encode()
    return client.post("/webhooks/shopify", data=body, content_type="application/json", headers={
        "X-Shopify-Topic": topic, "X-Shopify-Shop-Domain": shop,
        "X-Shopify-Hmac-Sha256": base64_hmac_sha256(secret, body),
        "X-Shopify-Event-Id": event_id or str(uuid.uuid4()), "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-API-Version": "2026-07"})


def signed_callback_query(secret: str, **params) -> str:
    """A callback query string signed the way Shopify signs it (hex HMAC of the sorted query)."""
    import hashlib
    import hmac
    from urllib.parse import urlencode

    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    params["hmac"] = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return urlencode(params)


@pytest.fixture
def live_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live_server(app, live_port):
    """``create_app(settings)`` served for real, several requests at a time (the app's
    settings must point APP_URL at ``live_port`` for OAuth and webhooks to come back)."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", live_port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-app", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{live_port}"
    server.shutdown()
    thread.join(5)


def worker_env(settings) -> dict:
    """The environment of a `flask worker` process on the test's database, queue and sandbox."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "PYTEST"))}
    env.update(APP_ENV="test", DATABASE_URL=settings.database_url, QUEUE_URL=settings.queue_url,
               SECRET_KEY=settings.secret_key, TOKEN_ENCRYPTION_KEY=settings.token_encryption_key,
               SHOPIFY_ADMIN_ORIGIN=settings.shopify_admin_origin, APP_URL=settings.app_url,
               STORE_TIMEOUT_SECONDS="2", SYNC_LEASE_SECONDS="3", SYNC_BACKOFF_SECONDS="1.5")
    from connectors import PLATFORMS

    for setting in (s for descriptor in PLATFORMS.values() for s in descriptor.settings):
        env[setting.env] = str(getattr(settings, setting.field))  # e.g. its sandbox's origins
    return env


def start_workers(settings, count: int = 1, threads: int = 4) -> list[subprocess.Popen]:
    """``count`` worker processes, as the Procfile starts them."""
    return [subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker", "--workers", str(threads)],
                             env=worker_env(settings), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(count)]


def row_counts(app) -> dict:
    """Rows per table: what "nothing changed" is checked against."""
    from sqlalchemy import inspect, text

    engine = app.extensions["db_engine"]
    with engine.connect() as connection:
        return {t: connection.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar()
                for t in inspect(engine).get_table_names() if t != "alembic_version"}


def sign_in_forms(html: str) -> dict[str, dict]:
    """The signed-out page's ways in, by platform: each form's action, its input (or None), the
    input's label and the button's text (templates/orders.html, ``Platform.sign_in``)."""
    from html.parser import HTMLParser

    class Forms(HTMLParser):
        def __init__(self):
            super().__init__()
            self.forms, self.form, self.text_of, self.labels = {}, None, None, {}

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "form" and "data-platform" in attrs:
                self.form = self.forms[attrs["data-platform"]] = {
                    "action": attrs.get("action"), "method": attrs.get("method"), "input": None,
                    "label": None, "button": ""}
            elif self.form is not None and tag == "input":
                self.form["input"] = attrs
            elif self.form is not None and tag in ("label", "button"):
                self.text_of = tag

        def handle_endtag(self, tag):
            if tag == "form":
                self.form = None
            elif tag == self.text_of:
                self.text_of = None

        def handle_data(self, data):
            if self.form is not None and self.text_of:
                self.form[self.text_of] = (self.form[self.text_of] or "") + data.strip()

    parser = Forms()
    parser.feed(html)
    return parser.forms
