"""From Shopify's order page into ShipSync, in headless Chromium (English and Spanish)."""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import HOST, SHOP, use_app_bridge
from tests.browser.test_orders_page import new_order, settle
from tests.helpers import session_token, signed_callback_query


@pytest.mark.parametrize("locale, heading", [("en", "Requires shipment synchronization"),
                                             ("es", "Requiere sincronización de envíos")])
def test_the_admin_link_opens_the_orders_details(page, client, settings, shop, shopify_store, live_server,
                                                 locale, heading):
    held = new_order(client, shopify_store, ("Lamp",), hold=True)
    new_order(client, shopify_store, ("Vase",))
    settle(client, settings, 2)
    use_app_bridge(page, settings)
    query = signed_callback_query(settings.shopify_api_secret, shop=SHOP, host=HOST, embedded="1",
                                  id_token=session_token(settings, SHOP, exp=int(time.time()) + 900),
                                  id=str(held["id"]), locale=locale, timestamp=str(int(time.time())))
    page.goto(f"{live_server}/shopify/order?{query}")

    rows = page.locator("#orders-body tr.order-row .order-name")
    expect(rows).to_have_text([held["name"]])
    expect(page.get_by_role("searchbox")).to_have_value(held["name"])
    expect(page.locator("#orders-body")).to_contain_text(heading)  # the details are open


def test_the_sandbox_order_page_has_the_link_and_it_opens_shipsync(page, client, settings, shop, shopify_store,
                                                                  shopify_sandbox, live_server):
    held = new_order(client, shopify_store, ("Lamp",), hold=True)
    settle(client, settings, 1)
    use_app_bridge(page, settings)
    page.goto(f"{shopify_sandbox.url}/shops/{SHOP}/admin/orders/{held['id']}")
    page.get_by_role("navigation", name="More actions").get_by_role("link", name="Open in ShipSync").click()

    app = page.frame_locator("iframe[title=ShipSync]")
    expect(app.locator("#orders-body tr.order-row .order-name")).to_have_text([held["name"]])
    expect(app.locator("#orders-body")).to_contain_text("Requires shipment synchronization")
