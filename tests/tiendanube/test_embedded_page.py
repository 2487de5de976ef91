"""Tiendanube's embedded page in headless Chromium, on the running app and a real worker: the
sandbox's admin frames the app at its URL and answers Nexo with session tokens signed with the
app secret; the merchant sees their store's orders, what requires shipment synchronization and
re-syncs it — in English, Spanish and Brazilian Portuguese, the browser's language. Nobody else
may frame the page, and opened outside the admin it offers the sign-in instead of orders.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import label_payload, post_label, wait_for
from tests.tiendanube.driver import install_tiendanube

LANGUAGES = {
    "en-US": {"heading": "Requires shipment synchronization", "badge": "Requires synchronization",
              "synced": "Synchronized", "tab": "Fulfillment Pending"},
    "es-AR": {"heading": "Requiere sincronización de envíos", "badge": "Requiere sincronización",
              "synced": "Sincronizado", "tab": "Pendientes de preparación"},
    "pt-BR": {"heading": "Precisa de sincronização de envios", "badge": "Precisa de sincronização",
              "synced": "Sincronizado", "tab": "Pendentes de preparação"},
}
REFUSAL = {"tracking_info": ["is invalid"]}  # Tiendanube's 422 body: a lasting cause, not retried


@pytest.fixture
def settings(settings, live_port):
    """APP_URL at the live server (OAuth and webhooks come back to it), short retry backoff."""
    return settings.replace(app_url=f"http://127.0.0.1:{live_port}", sync_backoff_seconds=0.1)


@pytest.fixture
def tn_admin(tn_sandbox, live_server, monkeypatch):
    """The sandbox admin frames the app at the URL set in the Partner Portal."""
    monkeypatch.setattr(tn_sandbox, "app_url", f"{live_server}/?platform=tiendanube")
    return tn_sandbox


@pytest.fixture
def installed(app, client, worker, tn_admin):
    store = tn_admin.create_store(allow_http_webhooks=True)
    install_tiendanube(client, tn_admin, store)
    yield store
    tn_admin.remove_store(store.store_id)


def browser_page(browser, locale: str):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


def failed_order(client, store) -> dict:
    """An order whose dispatch Tiendanube refused once (422): it requires synchronization."""
    order = store.create_order([{"name": "Caneca", "quantity": 1}])
    store.add_fault("status", status=422, method="PATCH", path="fulfillment-orders", body=REFUSAL)
    response = post_label(client, label_payload(
        order_id=str(order["id"]), package_id=f"PKG-{order['id']}", tracking=f"NX{order['id']}BR",
        platform="tiendanube", store=str(store.store_id),
        items=[{"line_item_id": str(order["products"][0]["id"]), "quantity": 1}]))
    assert response.status_code == 202, response.data
    wait_for(lambda: any(r["status"] == 422 for r in store.requests("PATCH", "fulfillment-orders")),
             message="the refused dispatch")
    return order


@pytest.mark.parametrize("locale", list(LANGUAGES))
def test_inside_the_admin_the_merchant_sees_and_resyncs_in_their_language(browser, client, installed,
                                                                         tn_admin, locale):
    texts = LANGUAGES[locale]
    order = failed_order(client, installed)
    context, page, errors = browser_page(browser, locale)
    try:
        page.goto(f"{tn_admin.url}/admin/v2/apps/{tn_admin.app_id}?store={installed.store_id}")
        app = page.frame_locator('iframe[title="ShipSync"]')

        row = app.locator("#orders-body tr.order-row")
        expect(row).to_have_count(1)
        expect(app.get_by_role("tab", name=re.compile("^" + re.escape(texts["tab"])))).to_have_attribute(
            "aria-selected", "true")
        expect(row.locator(".col-sync")).to_contain_text(texts["badge"])
        row.locator("button.toggle").click()
        details = app.locator("tr.details-row:not([hidden])")
        expect(details.get_by_role("heading", name=texts["heading"])).to_be_visible()

        row.locator('button[data-action="sync"]').click()
        expect(row.locator(".col-sync")).to_contain_text(texts["synced"])
        dispatched = [r for r in installed.requests("PATCH", "fulfillment-orders") if r["status"] == 200]
        assert len(dispatched) == 1  # the re-sync wrote once
        # The API was called with Nexo's session tokens: the admin was asked, the page said it was ready.
        heard = page.evaluate("window.nexoMessages")
        assert {"app/connected", "app/ready", "app/auth/sessionToken"} <= set(heard)
        assert order["id"] in installed.orders
        assert not errors, errors
    finally:
        context.close()


def test_the_admin_on_the_stores_own_subdomain_connects_through_nexo(browser, client, installed, tn_admin):
    """The real admin is served at https://{store}.lojavirtualnuvem.com.br/admin/v2/apps/{app}
    (and {store}.mitiendanube.com): framed there, the bridge hears the admin's Nexo answers and
    the page shows the store's orders, not the sign-in."""
    import requests

    from sandbox.tiendanube.admin import session_token

    order = failed_order(client, installed)
    admin = "https://minhaloja.lojavirtualnuvem.com.br"
    page_html = requests.get(f"{tn_admin.url}/admin/v2/apps/{tn_admin.app_id}?store={installed.store_id}",
                             timeout=10).text

    def serve(route):
        if route.request.url.endswith("/session-token"):
            route.fulfill(json={"token": session_token(tn_admin, installed.store_id)})
        else:
            route.fulfill(content_type="text/html", body=page_html)

    context, page, errors = browser_page(browser, "pt-BR")
    try:
        context.route(admin + "/**", serve)
        context.grant_permissions(["local-network-access"], origin=admin)
        page.goto(f"{admin}/admin/v2/apps/{tn_admin.app_id}")
        app = page.frame_locator('iframe[title="ShipSync"]')
        expect(app.locator("#orders-body tr.order-row")).to_have_count(1)
        expect(app.locator("#orders-body")).to_contain_text(str(order["number"]))
        assert {"app/connected", "app/ready", "app/auth/sessionToken"} <= set(page.evaluate("window.nexoMessages"))
        assert not errors, errors
    finally:
        context.close()


def test_the_admin_may_frame_the_page_and_another_site_may_not(browser, live_server, tn_admin):
    context, page, _ = browser_page(browser, "en-US")
    parent = f'<!doctype html><iframe src="{live_server}/?platform=tiendanube" title="ShipSync"></iframe>'
    try:
        for origin in ("https://www.nuvemshop.com.br", "https://evil.example.com"):
            context.route(origin + "/**", lambda route: route.fulfill(content_type="text/html", body=parent))
            # Chromium asks before a public site may reach a loopback address; the merchant would say yes.
            context.grant_permissions(["local-network-access"], origin=origin)
        app = page.frame_locator('iframe[title="ShipSync"]')

        page.goto("https://www.nuvemshop.com.br/admin/v2/apps/shipsync")
        expect(app.locator("main#page")).to_be_visible()  # framed; this stand-in answers no Nexo, so: the sign-in
        expect(app.locator("#notice")).to_contain_text("Open ShipSync from your Tiendanube admin")

        with page.expect_console_message(lambda message: "frame-ancestors" in message.text):
            page.goto("https://evil.example.com/framing-shipsync")
        expect(app.locator("main#page")).to_have_count(0)
    finally:
        context.close()


def test_outside_the_admin_the_page_offers_the_sign_in(browser, live_server, tn_admin):
    context, page, errors = browser_page(browser, "pt-BR")
    try:
        page.goto(f"{live_server}/?platform=tiendanube")  # a bookmark, not the admin's frame
        notice = page.locator("#notice")
        expect(notice).to_contain_text("Abra o ShipSync pelo painel da Nuvemshop para ver seus pedidos.")
        link = notice.get_by_role("link", name="Entrar com a Nuvemshop")
        expect(link).to_have_attribute("href", "/auth/tiendanube")
        assert not errors, errors
    finally:
        context.close()


def test_inside_the_admin_of_a_store_shipsync_does_not_know_the_page_offers_the_install(browser, tn_admin):
    stranger = tn_admin.create_store(allow_http_webhooks=True)
    tn_admin.install(stranger)  # the admin shows the app; ShipSync never saw this store's install
    context, page, errors = browser_page(browser, "es-AR")
    try:
        page.goto(f"{tn_admin.url}/admin/v2/apps/{tn_admin.app_id}?store={stranger.store_id}")
        notice = page.frame_locator('iframe[title="ShipSync"]').locator("#notice")
        expect(notice).to_contain_text("ShipSync no está instalado en esta tienda.")
        link = notice.get_by_role("link")
        expect(link).to_have_attribute("href", "/auth/tiendanube")
        expect(link).to_have_attribute("target", "_top")  # the consent screen cannot run in the admin's frame
        assert not errors, errors
    finally:
        context.close()
        tn_admin.remove_store(stranger.store_id)


@pytest.mark.parametrize("locale,button", [("es-AR", "Instalar en Tiendanube"), ("pt-BR", "Instalar na Nuvemshop")])
def test_the_signed_out_page_installs_on_tiendanube_with_no_input(browser, live_server, tn_sandbox, to_live_app,
                                                                  locale, button):
    """ShipSync's own page (no admin, no session): the descriptor's way in is one button; the
    authorize page picks the store the merchant is signed in to, and the merchant comes back signed in."""
    store = tn_sandbox.create_store(allow_http_webhooks=True)
    context, page, errors = browser_page(browser, locale)
    try:
        page.goto(f"{live_server}/")
        form = page.locator('form[data-platform="tiendanube"]')
        expect(form.locator("input")).to_have_count(0)
        form.get_by_role("button", name=button).click()

        page.wait_for_url(re.compile(re.escape(tn_sandbox.url) + r"/apps/\d+/authorize"))
        page.select_option('select[name="store_id"]', str(store.store_id))
        page.get_by_role("button", name="Accept and install").click()

        page.wait_for_url(f"{live_server}/")
        expect(page.locator("#signed-in")).to_contain_text(str(store.store_id))
        assert store.token, "installed: the sandbox issued the store a token"
        assert not errors, errors
    finally:
        context.close()
        tn_sandbox.remove_store(store.store_id)
