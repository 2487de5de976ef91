"""The orders page through the Flask client: CSP per kind of store, App Bridge, languages,
store scoping of the API, and the Spanish and Portuguese catalogs kept complete."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from models import REQUIRES_SYNC, SYNCED, Order, Package
from tests.helpers import api_headers, make_store

ROOT = Path(__file__).resolve().parent.parent
SHOP, OTHER_SHOP = "acme.myshopify.com", "other-shop.myshopify.com"
APP_BRIDGE = "https://cdn.shopify.com/shopifycloud/app-bridge.js"
# The extraction keywords of babel.cfg's command line (_plural: admin/pages.py's two-form helper).
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "_plural": (1, 2)}


def add_order(app, store_id: int, external_id: str, name: str, status: str = REQUIRES_SYNC, cause="store_configuration"):
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        order = Order(store_id=store_id, external_id=external_id, name=name, requires_sync=status != SYNCED,
                      line_items=[{"id": "13001", "title": "Mug", "quantity": 1, "sku": "MUG"}])
        session.add(order)
        session.flush()
        session.add(Package(store_id=store_id, order_id=order.id, external_id=f"PKG-{external_id}",
                            tracking_number=f"1Z{external_id}", carrier="UPS", items=[{"line_item_id": "13001", "quantity": 1}],
                            status=status, attempts=1, last_cause=cause if status == REQUIRES_SYNC else None,
                            last_message="Fulfillment order is on hold"))
        session.flush()
        return order.id


def page_config(response) -> dict:
    match = re.search(r'<script type="application/json" id="shipsync-config">(.*?)</script>', response.text, re.S)
    assert match, "the page embeds its config"
    return json.loads(match.group(1))


def sign_in(client, store_id: int) -> str:
    """What the WooCommerce connect flow does (auth.session.sign_in_store); returns the CSRF token."""
    with client.session_transaction() as session:
        session["store_id"] = store_id
        session["generation"] = 0  # a store made without connecting is at its first connect
        session["csrf"] = "csrf-token-for-test"
    return "csrf-token-for-test"


# ---- Content-Security-Policy, one test per kind of store ------------------------------------

def shopify_csp(app) -> str:
    """Production's policy, plus the sandbox admin the tests point SHOPIFY_ADMIN_ORIGIN at."""
    sandbox = app.config["SETTINGS"].shopify_admin_origin.split("/shops/")[0]
    return f"frame-ancestors https://{SHOP} https://admin.shopify.com {sandbox}"


def frame_policy(response) -> str:
    """The frame-ancestors directive of the page's Content-Security-Policy."""
    directives = [d.strip() for d in response.headers["Content-Security-Policy"].split(";")]
    return next(d for d in directives if d.startswith("frame-ancestors"))


def test_shopify_page_may_be_framed_by_its_shop_and_the_admin_only(app, client):
    make_store(app, "shopify", SHOP)
    response = client.get(f"/?shop={SHOP}&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYWNtZQ&embedded=1&id_token=x")

    assert response.status_code == 200
    assert frame_policy(response) == shopify_csp(app)
    assert (page_config(response)["mode"], page_config(response)["embedding"]["platform"]) == ("embedded", "shopify")


def test_with_the_real_shopify_admin_only_the_shop_and_admin_may_frame(settings):
    from app import create_app

    production_like = create_app(settings.replace(shopify_admin_origin="https://{shop}"))
    response = production_like.test_client().get(f"/?shop={SHOP}")
    assert frame_policy(response) == f"frame-ancestors https://{SHOP} https://admin.shopify.com"


def test_standalone_woocommerce_page_may_not_be_framed(app, client):
    store_id = make_store(app, "woocommerce", "https://shop.example.com")
    csrf = sign_in(client, store_id)
    response = client.get("/")

    assert response.status_code == 200
    assert frame_policy(response) == "frame-ancestors 'none'"
    config = page_config(response)
    assert config["mode"] == "standalone" and config["csrfToken"] == csrf
    assert APP_BRIDGE not in response.text and 'name="shopify-api-key"' not in response.text


@pytest.mark.parametrize("path", ["/", "/?shop=evil.example.com", "/?shop=acme.myshopify.com.evil.com", "/no-such-page"])
def test_every_other_html_response_refuses_framing(client, path):
    response = client.get(path)

    assert response.mimetype == "text/html"
    assert frame_policy(response) == "frame-ancestors 'none'"


def test_an_html_error_page_for_a_shop_keeps_its_frame_ancestors(app, client):
    response = client.get(f"/no-such-page?shop={SHOP}")

    assert response.status_code == 404
    assert frame_policy(response) == shopify_csp(app)


# ---- Embedded the Shopify way ------------------------------------------------------------------

def test_embedded_page_loads_app_bridge_first_with_the_api_key(client, settings):
    html = client.get(f"/?shop={SHOP}&embedded=1").text

    assert f'<meta name="shopify-api-key" content="{settings.shopify_api_key}">' in html
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts[0] == f'<script src="{APP_BRIDGE}">', "App Bridge must be the first script, neither async nor deferred"
    assert any('type="module"' in tag and "/static/js/main.js" in tag for tag in scripts)


def test_page_without_a_store_offers_the_ways_in_and_no_data(client):
    response = client.get("/")

    config = page_config(response)
    assert config["mode"] == "signed_out" and config["csrfToken"] is None
    assert 'action="/auth/shopify"' in response.text and 'action="/auth/woocommerce"' in response.text
    with client.session_transaction() as session:
        assert "csrf" not in session and "store_id" not in session


def test_standalone_page_embeds_the_csrf_token_the_api_wants(app, client):
    sign_in(client, make_store(app, "woocommerce", "https://shop.example.com"))
    token = page_config(client.get("/"))["csrfToken"]
    change = {"notify_customer": False, "carrier_mapping": {"Correos Express": "Correos"}}

    assert client.patch("/api/store/settings", json=change).status_code == 403
    assert client.patch("/api/store/settings", json=change, headers={"X-CSRF-Token": "forged"}).status_code == 403
    saved = client.patch("/api/store/settings", json=change, headers={"X-CSRF-Token": token})
    assert saved.status_code == 200
    assert saved.json["settings"] == {"notify_customer": False, "auto_sync": True,
                                      "carrier_mapping": {"Correos Express": "Correos"}}


def test_page_is_not_cached(client):
    assert client.get(f"/?shop={SHOP}").headers["Cache-Control"] == "no-store"


# ---- Languages -----------------------------------------------------------------------------------

SPANISH = {"lang": "es", "texts": ("Pendientes de preparación", "Preparados", "Sincronizar mis envíos", "Configuración",
                                    "Buscar por número de pedido o de seguimiento", "Vuelve a autorizar ShipSync"),
           "requiresSyncHeading": "Requiere sincronización de envíos",
           "items": {"one": "{count} artículo", "other": "{count} artículos"}}
PORTUGUESE = {"lang": "pt-BR", "texts": ("Pendentes de preparação", "Preparados", "Sincronizar meus envios",
                                         "Configurações", "Buscar por número do pedido ou código de rastreio",
                                         "Autorizar o ShipSync novamente"),
              "requiresSyncHeading": "Precisa de sincronização de envios",
              "items": {"one": "{count} item", "other": "{count} itens"}}


@pytest.mark.parametrize("query,headers,language", [
    ("&locale=es", {}, SPANISH),
    ("&locale=es-ES", {}, SPANISH),                          # Shopify sends language-region
    ("", {"Accept-Language": "es-MX,es;q=0.9"}, SPANISH),     # or the browser says so
    ("&locale=pt-BR", {}, PORTUGUESE),                       # Nuvemshop's spelling
    ("&locale=pt_BR", {}, PORTUGUESE),                       # babel's
    ("&locale=pt", {}, PORTUGUESE),
    ("", {"Accept-Language": "pt-BR,pt;q=0.9,en;q=0.5"}, PORTUGUESE),
])
def test_translated_page(client, query, headers, language):
    response = client.get(f"/?shop={SHOP}{query}", headers=headers)
    html = response.text
    config = page_config(response)

    assert f'<html lang="{language["lang"]}">' in html
    for text in language["texts"]:
        assert text in html
    assert "Fulfillment Pending" not in html and "Synchronize my shipments" not in html
    # The browser's Intl refuses babel's "pt_BR": the page hands it the BCP 47 tag.
    assert config["locale"] == language["lang"]
    assert config["strings"]["requiresSyncHeading"] == language["requiresSyncHeading"]
    assert config["strings"]["items"] == language["items"]
    if language is SPANISH:
        assert config["strings"]["fulfillment"]["partially_fulfilled"] == "Preparado parcialmente"


def test_english_by_default(client):
    response = client.get(f"/?shop={SHOP}", headers={"Accept-Language": "de-DE"})

    assert '<html lang="en">' in response.text and "Fulfillment Pending" in response.text
    assert page_config(response)["strings"]["items"] == {"one": "{count} item", "other": "{count} items"}


def test_the_chosen_language_is_remembered_for_the_session(client):
    client.get(f"/?shop={SHOP}&locale=pt-BR")

    assert page_config(client.get(f"/?shop={SHOP}"))["locale"] == "pt-BR"
    assert page_config(client.get(f"/?shop={SHOP}&locale=xx"))["locale"] == "pt-BR"
    assert page_config(client.get(f"/?shop={SHOP}&locale=es-AR"))["locale"] == "es"


def test_api_explains_causes_in_the_pages_language(app, client, settings):
    store_id = make_store(app, "shopify", SHOP)
    add_order(app, store_id, "5001", "#1001")

    english = client.get("/api/orders?tab=pending&locale=en", headers=api_headers(settings, SHOP)).json
    spanish = client.get("/api/orders?tab=pending&locale=es", headers=api_headers(settings, SHOP)).json

    assert english["orders"][0]["packages"][0]["error"]["fix"].startswith("Fix the order in the store")
    assert spanish["orders"][0]["packages"][0]["error"]["fix"].startswith("Corrige el pedido en la tienda")
    portuguese = client.get("/api/orders?tab=pending&locale=pt-BR", headers=api_headers(settings, SHOP)).json
    assert portuguese["orders"][0]["packages"][0]["error"]["fix"].startswith("Corrija o pedido na loja")


# ---- A merchant sees only their own store ---------------------------------------------------------

def test_another_stores_order_is_not_found(app, client, settings):
    store_a = make_store(app, "shopify", SHOP)
    store_b = make_store(app, "shopify", OTHER_SHOP, access_token="shpat_other")
    add_order(app, store_a, "5001", "#1001")
    order_b = add_order(app, store_b, "6001", "#2001")
    as_a, as_b = api_headers(settings, SHOP), api_headers(settings, OTHER_SHOP)

    assert client.get(f"/api/orders/{order_b}", headers=as_b).status_code == 200
    assert client.get(f"/api/orders/{order_b}", headers=as_a).status_code == 404
    assert client.post(f"/api/orders/{order_b}/sync", headers=as_a).status_code == 404
    listed = client.get("/api/orders?tab=all", headers=as_a).json
    assert [o["name"] for o in listed["orders"]] == ["#1001"] and listed["counts"]["all"] == 1
    assert client.get("/api/orders?tab=all&q=%232001", headers=as_a).json["total"] == 0


def test_the_pages_sync_buttons_are_answered_at_once(app, client, settings):
    """Synchronize and Synchronize my shipments: 202 within moments (on SQLite the request's own
    transaction once held the write lock the sync service waited 30 s for, then 500)."""
    store_id = make_store(app, "shopify", SHOP)
    order = add_order(app, store_id, "5001", "#1001")
    started = time.monotonic()

    one = client.post(f"/api/orders/{order}/sync", headers=api_headers(settings, SHOP))
    every = client.post("/api/sync", headers=api_headers(settings, SHOP))

    assert (one.status_code, one.json["packages"]) == (202, [1]) and every.status_code == 202
    assert client.get(f"/api/sync/{every.json['batch_id']}", headers=api_headers(settings, SHOP)).json["total"] == 1
    assert time.monotonic() - started < 5


def test_woocommerce_session_cannot_reach_a_shopify_stores_order(app, client):
    shopify_store = make_store(app, "shopify", SHOP)
    order = add_order(app, shopify_store, "5001", "#1001")
    csrf = sign_in(client, make_store(app, "woocommerce", "https://shop.example.com"))

    assert client.get(f"/api/orders/{order}").status_code == 404
    assert client.post(f"/api/orders/{order}/sync", headers={"X-CSRF-Token": csrf}).status_code == 404


def test_a_stale_order_import_never_shows_a_synced_order_as_unfulfilled(app, client, settings):
    """The label's import and sync tasks run concurrently: an import that read the store just
    before the fulfillment was made must not turn the row back to Unfulfilled."""
    from connectors.base import RemoteLineItem, RemoteOrder
    from sync.orders import upsert_order

    store_id = make_store(app, "shopify", SHOP)
    add_order(app, store_id, "5001", "#1001", status=SYNCED)
    stale = RemoteOrder(id="5001", name="#1001", line_items=(RemoteLineItem("13001", "Mug", 1),),
                        fulfillment_status="unfulfilled")
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        upsert_order(session, store_id, stale)

    order = client.get("/api/orders?tab=prepared", headers=api_headers(settings, SHOP)).json["orders"][0]
    assert order["fulfillment_status"] == "fulfilled"


# ---- The page's script and the catalogs ------------------------------------------------------------

def test_every_text_the_script_uses_is_sent_by_the_server(client):
    modules = sorted((ROOT / "static" / "js").glob("*.js"))
    assert modules, "the page's script modules are in static/js"
    script = "\n".join(module.read_text() for module in modules)
    strings = page_config(client.get(f"/?shop={SHOP}"))["strings"]

    used = set(re.findall(r"\bS\.(\w+)", script))
    assert used and used <= set(strings), f"missing texts: {sorted(used - set(strings))}"


def _source_messages() -> set[str]:
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


CATALOGS = ("es", "pt_BR")


def _catalog(language: str, name: str):
    path = ROOT / "translations" / language / "LC_MESSAGES" / name
    with open(path, "rb") as handle:
        return read_po(handle, locale=language) if name.endswith(".po") else read_mo(handle)


@pytest.mark.parametrize("language", CATALOGS)
def test_catalog_translates_every_text_in_the_code(language):
    """Fails when a new _() text was not extracted and translated: see babel.cfg for the commands."""
    po = _catalog(language, "messages.po")
    translated = {}
    for message in po:
        if message.id:
            key = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
            strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
            translated[key] = all(strings) and not message.fuzzy

    in_code = _source_messages()
    assert len(in_code) > 100
    assert sorted(in_code - set(translated)) == [], f"texts not in translations/{language} (run the babel.cfg commands)"
    assert sorted(k for k in in_code if not translated[k]) == [], f"untranslated or fuzzy texts in {language}"


@pytest.mark.parametrize("language", CATALOGS)
def test_compiled_catalog_matches_the_po_file(language):
    po, mo = _catalog(language, "messages.po"), _catalog(language, "messages.mo")
    def texts(catalog):
        return {(m.id[0] if isinstance(m.id, (tuple, list)) else m.id):
                tuple(m.string) if isinstance(m.string, (tuple, list)) else m.string for m in catalog if m.id}

    po_texts, mo_texts = texts(po), texts(mo)

    assert mo_texts == po_texts, f"translations/{language}/LC_MESSAGES/messages.mo is stale: pybabel compile -d translations"


@pytest.mark.parametrize("language", CATALOGS)
def test_catalog_keeps_every_placeholder(language):
    """A translation that drops or renames {count} or %(store)s breaks the text it fills."""
    placeholder = re.compile(r"\{\w+\}|%\(\w+\)s")
    for message in _catalog(language, "messages.po"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        wanted = set(placeholder.findall(ids[-1]))
        for string in strings:
            assert set(placeholder.findall(string)) <= wanted | set(placeholder.findall(ids[0])), (message.id, string)


def test_every_script_module_is_preloaded(client):
    """Module imports otherwise load one layer at a time; each one is announced up front."""
    from pathlib import Path

    page = client.get("/").get_data(as_text=True)
    modules = sorted(p.name for p in (Path(__file__).resolve().parents[1] / "static" / "js").glob("*.js"))
    assert modules and all(f'rel="modulepreload" href="/static/js/{name}"' in page for name in modules)


# ---- The embedding seam: what the page asks of the opening platform's descriptor -------------------

def test_the_opening_platforms_bridge_is_served_from_its_own_package(client):
    config = page_config(client.get(f"/?shop={SHOP}&embedded=1"))
    bridge = client.get(config["embedding"]["bridge"])

    assert config["embedding"]["bridge"] == "/embedded/shopify/bridge.js"
    assert bridge.status_code == 200 and bridge.mimetype == "text/javascript"
    assert bridge.data == (ROOT / "connectors" / "shopify" / "bridge.js").read_bytes()
    assert config["embedding"]["admin"] == "Shopify" and config["store"] == SHOP


@pytest.mark.parametrize("name", ["woocommerce", "nowhere", "..", "shopify%2F..%2F..%2Fapp.py"])
def test_a_platform_without_an_embedding_has_no_bridge(client, name):
    assert client.get(f"/embedded/{name}/bridge.js").status_code == 404


def test_a_signed_in_browser_keeps_its_csrf_token_inside_an_admin_for_the_fallback(app, client):
    csrf = sign_in(client, make_store(app, "woocommerce", "https://shop.example.com"))

    config = page_config(client.get(f"/?shop={SHOP}"))
    assert config["mode"] == "embedded" and config["csrfToken"] == csrf
    assert config["embedding"]["signInUrl"] == "/auth/shopify"
