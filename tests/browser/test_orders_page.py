"""The orders page in headless Chromium, on the running app, a real worker and the Shopify sandbox.

Each scenario makes its orders the way production does: an order in the sandbox store,
then a signed label webhook; the worker syncs it (or fails to, when the store holds the
order) before the browser opens the page.
"""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SHOP, app_url, screenshot, use_app_bridge
from tests.helpers import api_headers, label_payload, post_label, wait_for

SETTLED = {"synced", "requires_sync"}


def new_order(client, store, titles=("Mug",), *, hold=False, ship=None) -> dict:
    """A sandbox order with one labelled package holding the items at indexes ``ship`` (default all)."""
    order = store.create_order(SHOP, [{"title": title, "quantity": 1} for title in titles])
    if hold:
        store.hold(SHOP, order["id"])
    lines = order["line_items"]
    shipped = [lines[i] for i in (ship if ship is not None else range(len(lines)))]
    tracking = f"1ZSYNC{order['id']}"
    response = post_label(client, label_payload(
        order_id=order["id"], package_id=f"PKG-{order['id']}", tracking=tracking, store=SHOP,
        items=[{"line_item_id": line["id"], "quantity": 1} for line in shipped]))
    assert response.status_code == 202, response.data
    return {**order, "tracking": tracking}


def api_orders(client, settings, tab="all") -> dict:
    return client.get(f"/api/orders?tab={tab}&per_page=100", headers=api_headers(settings, SHOP)).json


def settle(client, settings, count: int, timeout: float = 30) -> list[dict]:
    """Wait until ``count`` orders exist and none of their packages is still on its way."""
    def settled():
        orders = api_orders(client, settings)["orders"]
        done = len(orders) == count and all(p["status"] in SETTLED for o in orders for p in o["packages"])
        return orders if done else None
    return wait_for(settled, timeout=timeout, interval=0.1, message=f"{count} settled orders")


def order_names(page):
    return page.locator("#orders-body tr.order-row .order-name")


def tab(page, name: str):
    return page.get_by_role("tab", name=re.compile(rf"^{re.escape(name)}\b"))


def row(page, order: dict):
    return page.locator("#orders-body tr.order-row", has=page.locator(".order-name", has_text=order["name"]))


@pytest.fixture
def quiet_shop(shop, shopify_store):
    """No orders/* webhooks: orders reach ShipSync only through labels, so counts are exact."""
    shopify_store.configure_shop(SHOP, auto_webhooks=False)
    return shop


def test_tabs_show_the_right_orders(page, client, settings, quiet_shop, shopify_store, live_server):
    partial = new_order(client, shopify_store, ("Mug", "Poster"), ship=[0])
    held = new_order(client, shopify_store, ("Lamp",), hold=True)
    full = new_order(client, shopify_store, ("Vase",))
    settle(client, settings, 3)

    page.goto(app_url(live_server, settings))

    expect(order_names(page)).to_have_text([held["name"]])
    expect(tab(page, "Fulfillment Pending")).to_have_attribute("aria-selected", "true")
    expect(page.locator('[data-count="pending"]')).to_have_text("1")
    expect(page.locator('[data-count="prepared"]')).to_have_text("2")
    expect(page.locator('[data-count="all"]')).to_have_text("3")
    expect(row(page, held)).to_contain_text("Unfulfilled")
    expect(row(page, held)).to_contain_text("Requires synchronization")

    tab(page, "Prepared").click()
    expect(order_names(page)).to_have_text([full["name"], partial["name"]])  # newest first
    expect(row(page, partial)).to_contain_text("Partially fulfilled")
    expect(row(page, full).locator('[data-status="fulfilled"]')).to_have_text("Fulfilled")
    link = row(page, full).get_by_role("link", name=full["tracking"])
    expect(link).to_have_attribute("href", f"https://www.ups.com/track?tracknum={full['tracking']}")

    tab(page, "Prepared").press("ArrowRight")  # keyboard: arrows move between tabs
    expect(tab(page, "All")).to_be_focused()
    expect(order_names(page)).to_have_count(3)
    expect(row(page, partial)).to_contain_text("2 items")
    screenshot(page, "orders-page.png")

    search = page.get_by_role("searchbox", name="Search by order name or tracking number")
    search.fill(full["tracking"])
    search.press("Enter")
    expect(order_names(page)).to_have_text([full["name"]])
    search.fill(held["name"])
    search.press("Enter")
    expect(order_names(page)).to_have_text([held["name"]])


def test_individual_sync_turns_a_failed_order_into_prepared(page, client, settings, quiet_shop, shopify_store,
                                                           live_server):
    held = new_order(client, shopify_store, ("Lamp", "Shade"), hold=True)
    settle(client, settings, 1)

    page.goto(app_url(live_server, settings))
    page.get_by_role("button", name=f"Show shipping information for order {held['name']}").click()
    details = page.locator("tr.details-row:not([hidden])")
    expect(details.get_by_role("heading", name="Requires shipment synchronization")).to_be_visible()
    expect(details).to_contain_text("The store's set-up prevents the fulfillment")
    expect(details).to_contain_text("What to do: Fix the order in the store (for example release the hold)")
    expect(details).to_contain_text("1 attempt; not retried automatically, as retrying cannot fix this")
    expect(details).to_contain_text("1 × Lamp")
    screenshot(page, "shipping-information.png")

    details.get_by_role("button", name=f"View attempt history of order {held['name']}").click()
    history = page.get_by_role("dialog", name=f"Attempt history of order {held['name']}")
    expect(history.locator("tbody tr")).to_have_count(1)
    expect(history.locator("tbody tr")).to_contain_text("Failed")
    expect(history.locator("tbody tr")).to_contain_text("Store set-up")
    page.keyboard.press("Escape")
    expect(history).to_be_hidden()

    shopify_store.release(SHOP, held["id"])  # the merchant releases the hold in Shopify…
    sync = page.get_by_role("button", name=f"Synchronize order {held['name']}")
    sync.click()  # …and synchronizes the order
    expect(page.locator(f'#orders-body [data-focus-key^="sync-"][aria-busy="true"]')).to_be_visible()
    expect(row(page, held)).to_contain_text("Synchronized")
    expect(page.locator(".toast")).to_contain_text(f"Order {held['name']} is synchronized.")
    expect(row(page, held)).to_contain_text("Fulfilled")
    expect(row(page, held).get_by_role("button", name=re.compile("^Synchroniz"))).to_have_count(0)
    expect(page.locator('[data-count="pending"]')).to_have_text("0")
    expect(page.locator('[data-count="prepared"]')).to_have_text("1")

    tab(page, "Prepared").click()
    expect(order_names(page)).to_have_text([held["name"]])
    fulfillments = shopify_store.fulfillments(SHOP, held["id"])
    assert [f["tracking_number"] for f in fulfillments] == [held["tracking"]]


def test_mass_sync_shows_its_progress_and_ends_with_every_order_synced(page, client, settings, quiet_shop,
                                                                      shopify_store, live_server):
    held = [new_order(client, shopify_store, ("Mug",), hold=True) for _ in range(30)]
    settle(client, settings, 30)
    assert api_orders(client, settings, "pending")["total"] == 30
    for order in held:
        shopify_store.release(SHOP, order["id"])
    # A slower store, so that the progress has time to be seen moving.
    shopify_store.configure_shop(SHOP, latency_seconds=0.25)

    page.goto(app_url(live_server, settings))
    expect(page.locator('[data-count="pending"]')).to_have_text("30")
    page.evaluate("""() => {
        window.seen = [];
        const bar = document.getElementById("mass-progress");
        new MutationObserver(() => window.seen.push(Number(bar.getAttribute("aria-valuenow"))))
            .observe(bar, {attributes: true, attributeFilter: ["aria-valuenow"]});
    }""")
    page.get_by_role("button", name="Synchronize my shipments").click()

    button = page.locator("#mass-sync-button")
    expect(button).to_have_attribute("aria-busy", "true")
    expect(button).to_have_accessible_name("Synchronizing…")
    expect(page.get_by_role("progressbar", name="Synchronizing your shipments")).to_be_visible()
    bar = page.locator("#mass-progress")
    expect(bar).to_have_attribute("aria-valuemax", "30")
    page.wait_for_function("() => window.seen.some(v => v >= 6 && v <= 24)", timeout=30_000)
    screenshot(page, "mass-sync-progress.png")

    panel = page.locator("#mass-sync")
    expect(panel).to_have_attribute("data-done", "true", timeout=60_000)
    expect(panel).to_have_attribute("data-synced", "30")
    expect(panel).to_have_attribute("data-failed", "0")
    expect(bar).to_have_attribute("aria-valuenow", "30")
    expect(page.locator("#mass-summary")).to_have_text("All 30 shipments were synchronized.")
    expect(button).not_to_have_attribute("aria-busy", "true")
    seen = page.evaluate("window.seen")
    assert len({v for v in seen if 0 < v < 30}) >= 2, f"the bar should move through several values: {seen}"
    assert seen == sorted(seen), f"progress never goes back: {seen}"
    expect(page.locator('[data-count="pending"]')).to_have_text("0")
    expect(page.locator('[data-count="prepared"]')).to_have_text("30")
    expect(page.locator("#orders-body .empty-row")).to_contain_text("No orders need synchronization")
    assert all(len(shopify_store.fulfillments(SHOP, o["id"])) == 1 for o in held)


def test_mass_sync_summary_lists_what_still_failed_and_why(page, client, settings, quiet_shop, shopify_store,
                                                           live_server):
    fixed = new_order(client, shopify_store, ("Mug",), hold=True)
    still_held = new_order(client, shopify_store, ("Lamp",), hold=True)
    settle(client, settings, 2)
    shopify_store.release(SHOP, fixed["id"])

    page.goto(app_url(live_server, settings))
    page.get_by_role("button", name="Synchronize my shipments").click()

    expect(page.locator("#mass-sync")).to_have_attribute("data-done", "true", timeout=30_000)
    summary = page.locator("#mass-summary")
    expect(summary).to_contain_text("1 shipment still needs your attention:")
    groups = summary.locator(".failure-group")  # one paragraph per cause, not per order
    expect(groups).to_have_count(1)
    expect(groups).to_contain_text("Store set-up · 1 shipment")
    expect(groups).to_contain_text("release the hold")
    expect(groups.locator(".failure-orders li")).to_have_text([still_held["name"]])
    expect(groups.get_by_role("link", name=f"Open order {still_held['name']} in the store admin")).to_have_attribute(
        "href", re.compile(rf"/admin/orders/{still_held['id']}$"))
    expect(order_names(page)).to_have_text([still_held["name"]])
    page.get_by_role("button", name="Dismiss").click()
    expect(page.locator("#mass-sync")).to_be_hidden()


def order_while_access_is_revoked(client, settings, shopify_store) -> dict:
    """The store revokes the app's tokens: the next sync cannot refresh them, and the store
    needs re-authorization. Returns the order whose label found it so."""
    shopify_store.expire_access_token(SHOP)
    shopify_store.revoke_refresh_token(SHOP)
    held = new_order(client, shopify_store, ("Mug",))
    wait_for(lambda: client.get("/api/store", headers=api_headers(settings, SHOP)).json["status"] == "reauth_required",
             timeout=20, message="store to need re-authorization")
    settle(client, settings, 1)
    return held


def test_reauthorization_banner_appears_and_goes_away_after_reinstall(page, client, settings, quiet_shop,
                                                                       shopify_store, live_server):
    held = order_while_access_is_revoked(client, settings, shopify_store)

    # Tokens from App Bridge, none on the URL: the app home's token exchange (which would
    # re-authorize by itself) does not run, so the merchant needs the banner's link.
    use_app_bridge(page, settings)
    page.goto(f"{live_server}/?shop={SHOP}&host=x&embedded=1")
    banner = page.get_by_role("region", name="Re-authorize ShipSync to keep synchronizing shipments")
    expect(banner).to_be_visible()
    link = banner.get_by_role("link", name="Re-authorize ShipSync")
    expect(link).to_have_attribute("target", "_top")  # OAuth cannot run inside the admin's iframe
    href = link.get_attribute("href")
    assert href == f"{live_server}/auth/shopify?shop={SHOP}"
    # Its import failed too, so the order may still be known by its id rather than its name.
    held_row = page.locator("#orders-body tr.order-row", has_text=held["tracking"])
    expect(held_row).to_contain_text("Requires synchronization")

    # The merchant follows the link (top level) and approves the app again.
    install = page.context.new_page()
    install.goto(href)
    install.get_by_role("button", name="Install app").click()
    # Back in the store's admin, on the app's page (which frames ShipSync again).
    install.wait_for_url(re.compile(r"/shops/" + re.escape(SHOP) + r"/admin/apps/"))
    install.close()

    expect(banner).to_be_hidden(timeout=15_000)
    expect(page.locator(".toast")).to_contain_text("ShipSync is authorized again")
    # The held order syncs by itself: it leaves Fulfillment Pending for Prepared, without a reload.
    expect(page.locator('[data-count="prepared"]')).to_have_text("1", timeout=20_000)
    expect(page.locator('[data-count="pending"]')).to_have_text("0")
    tab(page, "Prepared").click()
    expect(held_row).to_contain_text("Synchronized")


def test_spanish_texts_for_locale_es(page, client, settings, quiet_shop, shopify_store, live_server):
    held = new_order(client, shopify_store, ("Taza", "Lámpara"), hold=True)
    settle(client, settings, 1)

    page.goto(app_url(live_server, settings, locale="es"))

    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", name="Sincronización de envíos", exact=True)).to_be_visible()
    expect(tab(page, "Pendientes de preparación")).to_have_attribute("aria-selected", "true")
    expect(tab(page, "Preparados")).to_be_visible()
    expect(page.get_by_role("button", name="Sincronizar mis envíos")).to_be_visible()
    expect(row(page, held)).to_contain_text("No preparado")
    expect(row(page, held)).to_contain_text("Requiere sincronización")
    expect(row(page, held)).to_contain_text("2 artículos")
    page.get_by_role("button", name=f"Mostrar la información de envío del pedido {held['name']}").click()
    details = page.locator("tr.details-row:not([hidden])")
    expect(details.get_by_role("heading", name="Requiere sincronización de envíos")).to_be_visible()
    expect(details).to_contain_text("Qué hacer: Corrige el pedido en la tienda (por ejemplo, libera la retención)")
    expect(page.get_by_role("button", name=f"Sincronizar el pedido {held['name']}")).to_be_visible()
    screenshot(page, "orders-page-es.png")


def test_settings_are_saved_from_the_panel(page, client, settings, quiet_shop, live_server):
    page.goto(app_url(live_server, settings))
    page.get_by_role("button", name="Settings").click()
    dialog = page.get_by_role("dialog", name="Settings")
    expect(dialog.get_by_label("Notify the customer")).to_be_checked()
    dialog.get_by_label("Notify the customer").uncheck()
    dialog.get_by_role("button", name="Add carrier").click()
    dialog.get_by_role("textbox", name="Carrier in the shipping platform").last.fill("Correos Express")
    dialog.get_by_role("combobox", name="Carrier name in your store").last.fill("Correos")
    dialog.get_by_role("button", name="Add carrier").click()
    dialog.get_by_role("textbox", name="Carrier in the shipping platform").last.fill("correos express")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Fill in both carrier names")  # checked before sending
    dialog.get_by_role("combobox", name="Carrier name in your store").last.fill("Correos Express")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert")).to_contain_text("is mapped twice")  # checked before sending

    dialog.get_by_role("button", name="Remove the mapping for correos express", exact=True).click()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".toast")).to_contain_text("Settings saved")
    stored = client.get("/api/store", headers=api_headers(settings, SHOP)).json["settings"]
    assert stored == {"notify_customer": False, "auto_sync": True, "carrier_mapping": {"Correos Express": "Correos"}}


def test_embedded_in_shopify_admin_with_app_bridge_tokens(page, client, settings, quiet_shop, shopify_store,
                                                          live_server):
    """Framed by (a stand-in for) admin.shopify.com, with App Bridge handing out session tokens
    and no id_token on the URL: the CSP lets the admin frame the page, not another site, and
    every API call carries App Bridge's token."""
    held = new_order(client, shopify_store, ("Mug",), hold=True)
    settle(client, settings, 1)
    token = use_app_bridge(page, settings)
    frame_url = f"{live_server}/?shop={SHOP}&host=x&embedded=1"
    parent = (f'<!doctype html><title>Shopify admin</title><iframe src="{frame_url}" title="ShipSync" '
              'style="width:1200px;height:700px"></iframe>')
    for origin in ("https://admin.shopify.com", "https://evil.example.com"):
        page.context.route(origin + "/**", lambda route: route.fulfill(content_type="text/html", body=parent))
        # Chromium asks before a public site may reach a loopback address; the merchant would say yes.
        page.context.grant_permissions(["local-network-access"], origin=origin)
    authorizations = []
    page.on("request", lambda r: r.url.startswith(live_server + "/api/")
            and authorizations.append(r.headers.get("authorization")))

    page.goto("https://admin.shopify.com/store/acme/apps/shipsync")
    app = page.frame_locator('iframe[title="ShipSync"]')

    expect(app.locator("#orders-body tr.order-row .order-name")).to_have_text([held["name"]])
    assert authorizations and set(authorizations) == {f"Bearer {token}"}

    with page.expect_console_message(lambda message: "frame-ancestors" in message.text):
        page.goto("https://evil.example.com/framing-shipsync")
    expect(app.locator("#orders-body")).to_have_count(0)


def store_row(app):
    from sqlalchemy import select

    from models import Store
    with app.extensions["db_sessionmaker"]() as session:
        return session.scalars(select(Store)).one()


def test_woocommerce_merchant_uses_the_same_page_standalone(page, app, client, woo_store, worker, live_app):
    """Signed in by the connect flow (a cookie, no App Bridge); writes carry the page's CSRF token;
    a revoked key shows the banner, whose link reconnects in the same tab."""
    from tests.fixtures_woocommerce import create_woo_order, woo_label

    page.goto(f"{live_app}/auth/woocommerce?store_url={woo_store.url}")
    page.get_by_role("link", name="Approve").click()
    page.wait_for_url(live_app + "/")
    wait_for(lambda: len([w for w in woo_store.webhook_list() if w["status"] == "active"]) == 3,
             message="the store's webhooks")
    assert page.locator('script[src*="app-bridge"]').count() == 0

    shipped = create_woo_order(app, woo_store, [{"name": "Hoodie", "quantity": 1}])
    assert post_label(client, woo_label(woo_store, shipped, package_id="PKG-W1", tracking="1ZWOO1")).status_code == 202
    page.reload()
    expect(page.locator('[data-count="prepared"]')).to_have_text("1", timeout=15_000)

    page.get_by_role("button", name="Settings").click()
    dialog = page.get_by_role("dialog", name="Settings")
    dialog.get_by_label("Notify the customer").uncheck()
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator(".toast")).to_contain_text("Settings saved")  # the PATCH passed the CSRF check
    assert store_row(app).settings["notify_customer"] is False

    woo_store.revoke_key()  # the merchant deleted ShipSync's key in WooCommerce
    held = woo_store.create_order([{"name": "Cap", "quantity": 1}])
    assert post_label(client, woo_label(woo_store, held, package_id="PKG-W2", tracking="1ZWOO2")).status_code == 202
    wait_for(lambda: store_row(app).status == "reauth_required", message="the store to need re-authorization")
    page.reload()
    banner = page.get_by_role("region", name="Re-authorize ShipSync to keep synchronizing shipments")
    expect(banner).to_be_visible()
    link = banner.get_by_role("link", name="Re-authorize ShipSync")
    assert link.get_attribute("target") is None  # standalone: reconnect in the same tab
    link.click()
    page.get_by_role("link", name="Approve").click()
    page.wait_for_url(live_app + "/")

    expect(banner).to_be_hidden()
    expect(page.locator('[data-count="prepared"]')).to_have_text("2", timeout=20_000)  # the held order synced
    expect(page.locator('[data-count="pending"]')).to_have_text("0")
