"""Browser fixtures: the real app served over HTTP with a real worker, the Shopify sandbox
as the store, and headless Debian Chromium driven by Playwright (``browser``: tests/browser_session.py,
shared with the platforms' own browser tests); without Chromium every browser test is skipped.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.browser_session import CHROMIUM
from tests.helpers import install_shopify, session_token

# The README's pictures are refreshed with UPDATE_SCREENSHOTS=1; other runs keep theirs in
# test-results/ so that running the suite leaves the work tree clean.
_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = (_ROOT / "docs" / "screenshots" if os.environ.get("UPDATE_SCREENSHOTS") == "1"
               else _ROOT / "test-results" / "screenshots")
SHOP = "acme.myshopify.com"
HOST = "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYWNtZQ"  # base64("admin.shopify.com/store/acme"), as Shopify sends it

if not os.path.exists(CHROMIUM):
    pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (make browser installs it)",
                allow_module_level=True)


@pytest.fixture
def settings(settings, live_port):
    """The suite's settings, with APP_URL at the live server (webhooks and OAuth come back to it)
    and a short retry backoff so a 3-attempt failure takes a fraction of a second."""
    return settings.replace(app_url=f"http://127.0.0.1:{live_port}", sync_backoff_seconds=0.1)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-US")
    # No internet here: fail the App Bridge CDN at once, as a merchant's blocked CDN would.
    context.route("https://cdn.shopify.com/**", lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"script errors in the page: {errors}"


@pytest.fixture
def shop(app, client, shopify_store, worker, live_server):
    """The sandbox shop with ShipSync installed through the real OAuth dance."""
    shopify_store.create_shop(SHOP)
    install_shopify(client, SHOP)
    return SHOP


def app_url(live_server: str, settings, locale: str | None = None, **query) -> str:
    """The app home as Shopify admin opens it: shop, host, embedded and a fresh id_token."""
    token = session_token(settings, SHOP, exp=int(time.time()) + 900)
    params = {"shop": SHOP, "host": HOST, "embedded": "1", "id_token": token, **query}
    if locale:
        params["locale"] = locale
    return live_server + "/?" + "&".join(f"{k}={v}" for k, v in params.items())


def use_app_bridge(page, settings) -> str:
    """Serve a stand-in for Shopify's App Bridge script: ``shopify.idToken()`` hands out a valid
    session token, as the real one does inside the admin. Returns that token."""
    token = session_token(settings, SHOP, exp=int(time.time()) + 900)
    page.context.unroute("https://cdn.shopify.com/**")
    page.context.route("https://cdn.shopify.com/**", lambda route: route.fulfill(
        content_type="text/javascript", body="window.shopify = { idToken: async () => %r };" % token))
    return token


def screenshot(page, name: str, max_height: int = 900) -> Path:
    """docs/screenshots/<name>: the page's content (at most ``max_height`` px), pointer out of the way."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.mouse.move(0, 0)
    box = page.locator("main").bounding_box()
    clip = {**box, "height": min(box["height"], max_height)}
    page.screenshot(path=str(path), clip=clip, full_page=True, animations="disabled")
    return path
