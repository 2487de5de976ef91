"""Issue 12, the merchant's page: selection, filters in the address, admin links, customer,
timeline, CSV export, summary strip, narrow screens, re-authorization, honest wording, Spanish.

Orders are made as production makes them (a sandbox order, then a signed label webhook) except
where a state cannot be reached quickly that way (a package between two retries): that row is
written to the database the app reads, and the real app serves it.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from models import RETRYING, Order, Package, utcnow
from tests.browser.conftest import SHOP, app_url, screenshot
from tests.browser.test_orders_page import new_order, order_names, order_while_access_is_revoked, row, settle, tab
from tests.helpers import api_headers, install_shopify, wait_for


@pytest.fixture
def quiet_shop(shop, shopify_store):
    shopify_store.configure_shop(SHOP, auto_webhooks=False)
    return shop


def details(page):
    return page.locator("tr.details-row:not([hidden])")


def test_select_orders_and_synchronize_just_those(page, client, settings, quiet_shop, shopify_store, live_server):
    orders = [new_order(client, shopify_store, (title,), hold=True) for title in ("Mug", "Lamp", "Vase")]
    settle(client, settings, 3)
    for order in orders:
        shopify_store.release(SHOP, order["id"])
    chosen = orders[0]

    page.goto(app_url(live_server, settings))
    page.get_by_role("checkbox", name=f"Select order {chosen['name']}").check()
    bar = page.get_by_role("region", name="Selected orders")
    expect(bar).to_contain_text("1 order selected")
    bar.get_by_role("button", name="Synchronize selected").click()

    expect(page.locator("#mass-sync")).to_have_attribute("data-done", "true", timeout=30_000)
    expect(page.locator("#mass-sync")).to_have_attribute("data-total", "1")
    assert len(shopify_store.fulfillments(SHOP, chosen["id"])) == 1
    assert all(not shopify_store.fulfillments(SHOP, o["id"]) for o in orders[1:])
    expect(order_names(page)).to_have_count(2)


def test_select_all_matching_goes_past_the_page(page, client, settings, quiet_shop, shopify_store, live_server):
    orders = [new_order(client, shopify_store, (title,), hold=True) for title in ("Mug", "Lamp", "Vase")]
    settle(client, settings, 3)
    for order in orders:
        shopify_store.release(SHOP, order["id"])

    page.goto(app_url(live_server, settings, per_page=2))
    expect(order_names(page)).to_have_text([orders[2]["name"], orders[1]["name"]])
    page.get_by_role("button", name="Next page").click()  # the API's cursor, not an offset
    expect(order_names(page)).to_have_text([orders[0]["name"]])
    expect(page.locator("#page-info")).to_contain_text("3–3 of 3")
    page.get_by_role("button", name="Previous page").click()
    expect(order_names(page)).to_have_text([orders[2]["name"], orders[1]["name"]])
    page.get_by_role("checkbox", name="Select every order on this page").check()
    expect(page.get_by_role("region", name="Selected orders")).to_contain_text("2 orders selected")
    page.get_by_role("button", name="Select all 3 matching orders").click()
    expect(page.get_by_role("region", name="Selected orders")).to_contain_text("3 orders selected")
    page.get_by_role("button", name="Synchronize selected").click()

    expect(page.locator("#mass-sync")).to_have_attribute("data-done", "true", timeout=30_000)
    assert all(len(shopify_store.fulfillments(SHOP, o["id"])) == 1 for o in orders)


def test_filters_and_sort_are_kept_in_the_address(page, client, settings, quiet_shop, shopify_store, live_server):
    held = new_order(client, shopify_store, ("Lamp",), hold=True)
    first = new_order(client, shopify_store, ("Mug",))
    second = new_order(client, shopify_store, ("Vase",))
    settle(client, settings, 3)

    page.goto(app_url(live_server, settings))
    tab(page, "All").click()
    expect(order_names(page)).to_have_text([second["name"], first["name"], held["name"]])
    page.get_by_label("Sort").select_option(label="Oldest first")
    expect(order_names(page)).to_have_text([held["name"], first["name"], second["name"]])
    page.get_by_label("Shipment status").select_option(label="Synchronized")
    expect(order_names(page)).to_have_text([first["name"], second["name"]])
    assert re.search(r"[?&]status=synced\b", page.url) and re.search(r"[?&]sort=date\b", page.url)

    page.reload()  # the filter survives a reload (and a shared link)
    expect(page.get_by_label("Shipment status")).to_have_value("synced")
    expect(tab(page, "All")).to_have_attribute("aria-selected", "true")
    expect(order_names(page)).to_have_text([first["name"], second["name"]])

    page.get_by_label("Shipment status").select_option(label="Any")
    page.get_by_label("Cause").select_option(label="Store set-up")
    expect(order_names(page)).to_have_text([held["name"]])
    page.get_by_label("Carrier", exact=True).fill("dhl")
    expect(page.locator("#orders-body .empty-row")).to_contain_text("No orders match these filters.")
    page.get_by_role("button", name="Clear filters").first.click()
    expect(order_names(page)).to_have_count(3)
    tomorrow = (utcnow() + timedelta(days=1)).date().isoformat()
    page.get_by_label("From").fill(tomorrow)
    expect(page.locator("#orders-body .empty-row")).to_be_visible()
    screenshot(page, "filters.png", max_height=520)


@pytest.mark.parametrize("locale", ["en", "es"])
def test_row_links_to_the_store_admin_shows_the_customer_and_the_timeline(page, client, settings, quiet_shop,
                                                                         shopify_store, live_server, locale):
    held = new_order(client, shopify_store, ("Lamp",), hold=True)
    settle(client, settings, 1)
    customer = client.get("/api/orders?tab=all", headers=api_headers(settings, SHOP)).json["orders"][0]["customer"]
    english = locale == "en"

    page.goto(app_url(live_server, settings, locale=locale))
    held_row = row(page, held)
    name = f"Open order {held['name']} in the store admin" if english else \
        f"Abrir el pedido {held['name']} en el panel de la tienda"
    link = held_row.get_by_role("link", name=name)
    expect(link).to_have_attribute("href", re.compile(rf"/shops/{re.escape(SHOP)}/admin/orders/{held['id']}$"))
    expect(link).to_have_attribute("target", "_blank")
    expect(held_row.locator(".col-customer")).to_have_text(customer or "—")

    held_row.locator(".toggle").click()
    timeline = details(page).get_by_role("region", name="Timeline" if english else "Cronología")
    expect(timeline.locator("li")).to_have_count(2)
    expect(timeline.locator("li").first).to_have_attribute("data-kind", "label_created")
    expect(timeline.locator("li").last).to_have_attribute("data-kind", "failed")
    if english:
        expect(timeline).to_contain_text(f"Label created for package PKG-{held['id']}")
        expect(timeline).to_contain_text("could not be fulfilled · Store set-up")
        expect(details(page).get_by_role("link", name=name)).to_be_visible()
        screenshot(page, "timeline.png", max_height=1400)
    else:  # ShipSync's own words in Spanish, never English
        expect(timeline).to_contain_text(f"Etiqueta creada para el paquete PKG-{held['id']}")
        expect(details(page)).to_contain_text("está retenido en Shopify")
        expect(details(page)).not_to_contain_text("is on hold in Shopify")
        expect(details(page)).not_to_contain_text("La tienda respondió")  # ShipSync's words, not the store's


def test_csv_export_downloads_the_current_filter(page, client, settings, quiet_shop, shopify_store, live_server):
    held = new_order(client, shopify_store, ("Lamp",), hold=True)
    new_order(client, shopify_store, ("Mug",))
    settle(client, settings, 2)

    page.goto(app_url(live_server, settings, tab="all", status="requires_sync"))
    expect(order_names(page)).to_have_text([held["name"]])
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert download.value.suggested_filename.endswith(".csv")
    assert [(r["order"], r["tracking_number"], r["cause"]) for r in rows] == \
        [(held["name"], held["tracking"], "store_configuration")]


def test_summary_strip_counts_and_opens_what_it_counts(page, client, settings, quiet_shop, shopify_store,
                                                      live_server):
    held = new_order(client, shopify_store, ("Lamp",), hold=True)
    new_order(client, shopify_store, ("Mug",))
    settle(client, settings, 2)

    page.goto(app_url(live_server, settings, tab="all"))
    strip = page.get_by_role("region", name="Summary")
    expect(strip.locator('[data-summary-value="synced_today"]')).to_have_text("1")
    expect(strip.locator('[data-summary-value="needs_attention"]')).to_have_text("1")
    expect(strip.locator('[data-summary-value="waiting_reauth"]')).to_have_text("0")
    strip.get_by_role("link", name=re.compile("Need your attention")).click()
    expect(tab(page, "Fulfillment Pending")).to_have_attribute("aria-selected", "true")
    expect(order_names(page)).to_have_text([held["name"]])
    strip.get_by_role("link", name=re.compile("Synchronized today")).click()
    expect(page.get_by_label("Shipment status")).to_have_value("synced")
    expect(order_names(page)).to_have_count(1)


@pytest.mark.parametrize("locale", ["en", "es"])
def test_rows_stack_on_a_phone_width(page, client, settings, quiet_shop, shopify_store, live_server, locale):
    held = new_order(client, shopify_store, ("Lamp", "Shade"), hold=True)
    settle(client, settings, 1)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(app_url(live_server, settings, locale=locale))
    held_row = row(page, held)
    expect(held_row).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing to scroll sideways
    for part in (held_row.locator('[data-status="requires_sync"]').first, held_row.locator('[data-action="sync"]')):
        box = part.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    if locale == "en":
        screenshot(page, "orders-phone.png")


def test_sync_buttons_are_off_while_reauthorization_is_needed_then_confirmed(page, client, settings, quiet_shop,
                                                                             shopify_store, live_server):
    from tests.browser.conftest import use_app_bridge

    held = order_while_access_is_revoked(client, settings, shopify_store)
    use_app_bridge(page, settings)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    page.goto(f"{live_server}/?shop={SHOP}&host=x&embedded=1")
    expect(page.get_by_role("region", name="Re-authorize ShipSync to keep synchronizing shipments")).to_be_visible()
    mass = page.get_by_role("button", name="Synchronize my shipments")
    expect(mass).to_have_attribute("aria-disabled", "true")
    expect(mass).to_have_accessible_description(re.compile("Re-authorize ShipSync to keep synchronizing"))
    one = page.locator("#orders-body tr.order-row", has_text=held["tracking"]).locator('[data-action="sync"]')
    expect(one).to_have_attribute("aria-disabled", "true")
    mass.click(force=True)
    one.click(force=True)
    page.wait_for_timeout(300)
    assert not [url for url in posts if "/api/" in url], posts  # no six failures: nothing was sent

    install_shopify(client, SHOP)  # the merchant re-authorizes (in another tab), then comes back
    page.reload()
    expect(page.get_by_role("status").filter(has_text="ShipSync is authorized again").first).to_be_visible()
    expect(mass).not_to_have_attribute("aria-disabled", "true")


def test_a_failed_individual_sync_says_why_and_opens_the_details(page, client, settings, quiet_shop,
                                                                 shopify_store, live_server):
    held = new_order(client, shopify_store, ("Lamp",), hold=True)
    settle(client, settings, 1)

    page.goto(app_url(live_server, settings))
    page.get_by_role("button", name=f"Synchronize order {held['name']}").click()
    expect(page.locator(".toast")).to_contain_text(f"Order {held['name']} could not be synchronized: Store set-up")
    expect(details(page).get_by_role("heading", name="Requires shipment synchronization")).to_be_visible()


def test_a_loading_error_after_a_tab_switch_is_shown_in_place_with_retry(page, client, settings, quiet_shop,
                                                                         shopify_store, live_server):
    held = new_order(client, shopify_store, ("Lamp",), hold=True)
    settle(client, settings, 1)
    page.goto(app_url(live_server, settings))
    expect(order_names(page)).to_have_text([held["name"]])

    failing = "**/api/orders?tab=prepared*"
    page.route(failing, lambda route: route.fulfill(status=500, json={"error": "boom"}))
    tab(page, "Prepared").click()
    expect(page.locator("#orders-error")).to_be_visible()
    tab(page, "Fulfillment Pending").click()
    expect(order_names(page)).to_have_text([held["name"]])
    expect(page.locator("#orders-error")).to_be_hidden()
    tab(page, "Prepared").click()  # fails again
    expect(page.locator("#orders-error")).to_be_visible()
    expect(page.locator("#orders-error")).to_contain_text("Something went wrong")
    expect(order_names(page)).to_have_count(0)  # the other tab's rows are gone
    expect(page.locator(".toast")).to_have_count(0)  # said once, in place: no pile of toasts

    page.unroute(failing)
    page.get_by_role("button", name="Retry").click()
    expect(page.locator("#orders-error")).to_be_hidden()
    expect(page.locator("#orders-body .empty-row")).to_contain_text("No prepared orders yet")


def test_automatic_sync_off_is_waiting_not_an_error(page, client, settings, quiet_shop, shopify_store, live_server):
    assert client.patch("/api/store/settings", json={"auto_sync": False},
                        headers=api_headers(settings, SHOP)).status_code == 200
    waiting = new_order(client, shopify_store, ("Mug",))
    settle(client, settings, 1)

    page.goto(app_url(live_server, settings))
    waiting_row = row(page, waiting)
    expect(waiting_row.locator('[data-status="waiting"]')).to_have_text("Waiting for you")
    expect(waiting_row.locator(".badge-critical")).to_have_count(0)
    waiting_row.locator(".toggle").click()
    expect(details(page)).to_contain_text("Automatic synchronization is off for this store.")
    expect(details(page)).not_to_contain_text("Last error")
    expect(details(page).locator(".callout")).to_have_count(0)


def _retrying_order(app, store_domain: str) -> str:
    """A package between two automatic attempts, its next one due in ten minutes."""
    from models import Store

    with app.extensions["db_sessionmaker"]() as session, session.begin():
        store = session.query(Store).filter_by(domain=store_domain).one()
        order = Order(store_id=store.id, external_id="9901", name="#9901", requires_sync=True,
                      line_items=[{"id": "1", "title": "Mug", "quantity": 1}])
        session.add(order)
        session.flush()
        session.add(Package(store_id=store.id, order_id=order.id, external_id="PKG-9901", tracking_number="1Z9901",
                            carrier="UPS", items=[{"line_item_id": "1", "quantity": 1}], status=RETRYING,
                            attempts=1, last_cause="store_server", last_http_status=503,
                            last_message="Shopify had a server error (503)",
                            next_attempt_at=utcnow() + timedelta(minutes=10)))
    return "#9901"


def test_retrying_says_shipsync_retries_by_itself(page, app, client, settings, quiet_shop, live_server):
    name = _retrying_order(app, SHOP)

    page.goto(app_url(live_server, settings))
    page.get_by_role("button", name=f"Show shipping information for order {name}").click()
    info = details(page)
    expect(info).to_contain_text("Nothing to do: ShipSync tries again by itself.")
    expect(info).not_to_contain_text("Synchronize again in a few minutes")
    expect(info).to_contain_text("Attempt 1 of 3; ShipSync tries again by itself")
    expect(info).to_contain_text(re.compile(r"Next attempt: \d{1,2}:\d{2}:\d{2}"))  # to the second


def test_an_order_without_packages_says_so(page, app, client, settings, quiet_shop, live_server):
    from models import Store

    with app.extensions["db_sessionmaker"]() as session, session.begin():
        store = session.query(Store).filter_by(domain=SHOP).one()
        session.add(Order(store_id=store.id, external_id="9902", name="#9902", line_items=[]))

    page.goto(app_url(live_server, settings, tab="all"))
    page.get_by_role("button", name="Show shipping information for order #9902").click()
    expect(details(page)).to_contain_text("No packages for this order yet.")


def test_skeleton_rows_while_the_list_loads(page, client, settings, quiet_shop, live_server):
    held, opened = [], []

    def hold_first(route):
        if opened:
            route.continue_()
        else:
            held.append(route)

    page.route("**/api/orders?*", hold_first)
    page.goto(app_url(live_server, settings))
    expect(page.locator("#orders-body tr.skeleton-row")).to_have_count(5)
    expect(page.locator("#orders-table")).to_have_attribute("aria-busy", "true")
    wait_for(lambda: held, timeout=10, message="the list request")
    opened.append(True)
    held[0].continue_()
    expect(page.locator("#orders-body tr.skeleton-row")).to_have_count(0)


def test_app_bridge_toasts_and_title_bar_when_embedded(page, client, settings, quiet_shop, shopify_store,
                                                       live_server):
    from tests.helpers import session_token
    import time

    held = new_order(client, shopify_store, ("Lamp",), hold=True)
    settle(client, settings, 1)
    token = session_token(settings, SHOP, exp=int(time.time()) + 900)
    bridge = ("window.shopifyToasts = [];"
              "window.shopify = { idToken: async () => %r, toast: { show: (m, o) => window.shopifyToasts.push(m) } };"
              % token)
    page.context.unroute("https://cdn.shopify.com/**")
    page.context.route("https://cdn.shopify.com/**", lambda route: route.fulfill(content_type="text/javascript",
                                                                                body=bridge))
    page.goto(f"{live_server}/?shop={SHOP}&host=x&embedded=1")
    expect(page.locator("ui-title-bar")).to_have_attribute("title", "Shipment sync")
    page.get_by_role("button", name=f"Synchronize order {held['name']}").click()
    wait_for(lambda: page.evaluate("window.shopifyToasts.length") > 0, timeout=15, message="an App Bridge toast")
    assert "could not be synchronized" in page.evaluate("window.shopifyToasts[0]")
    expect(page.locator("#toasts .toast")).to_have_count(0)  # Shopify admin shows it, not the frame


def test_carrier_suggestions_on_the_settings_form(page, client, settings, quiet_shop, live_server):
    page.goto(app_url(live_server, settings))
    page.get_by_role("button", name="Settings").click()
    dialog = page.get_by_role("dialog", name="Settings")
    expect(dialog).to_contain_text("capitals do not matter")
    expect(dialog).not_to_contain_text("sent as “Other”")
    expect(page.locator("#carrier-names option[value='DHL Express']")).to_have_count(1)
    dialog.get_by_role("button", name="Add carrier").click()
    expect(dialog.get_by_role("combobox", name="Carrier name in your store").last).to_have_attribute(
        "list", "carrier-names")


def test_carrier_mapping_ignores_case_end_to_end(client, settings, quiet_shop, shopify_store):
    assert client.patch("/api/store/settings", json={"carrier_mapping": {"ups": "Canada Post"}},
                        headers=api_headers(settings, SHOP)).status_code == 200
    order = new_order(client, shopify_store, ("Mug",))  # its label says "UPS"
    settle(client, settings, 1)
    tracking = shopify_store.fulfillments(SHOP, order["id"])[0]["tracking"]
    assert tracking[0]["company"] == "Canada Post"


def test_spanish_filters_selection_summary_and_grouped_failures(page, client, settings, quiet_shop, shopify_store,
                                                                live_server):
    held = new_order(client, shopify_store, ("Lámpara",), hold=True)
    done = new_order(client, shopify_store, ("Taza",))
    settle(client, settings, 2)

    page.goto(app_url(live_server, settings, locale="es", tab="all"))
    strip = page.get_by_role("region", name="Resumen")
    expect(strip).to_contain_text("Sincronizados hoy")
    expect(strip).to_contain_text("Requieren tu atención")
    page.get_by_label("Estado del envío").select_option(label="Sincronizado")
    expect(order_names(page)).to_have_text([done["name"]])
    page.get_by_role("button", name="Quitar filtros").first.click()
    expect(order_names(page)).to_have_count(2)
    expect(page.get_by_role("button", name="Exportar CSV")).to_be_visible()

    page.get_by_role("checkbox", name=f"Seleccionar el pedido {held['name']}").check()
    bar = page.get_by_role("region", name="Pedidos seleccionados")
    expect(bar).to_contain_text("1 pedido seleccionado")
    bar.get_by_role("button", name="Sincronizar seleccionados").click()
    expect(page.locator("#mass-sync")).to_have_attribute("data-done", "true", timeout=30_000)
    group = page.locator("#mass-summary .failure-group")
    expect(group).to_contain_text("1 envío")
    expect(group).to_contain_text("Qué hacer:")
    expect(group.get_by_role("link", name=f"Abrir el pedido {held['name']} en el panel de la tienda")).to_be_visible()
