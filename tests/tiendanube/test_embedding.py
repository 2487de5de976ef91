"""The page opened by Tiendanube's admin, through the Flask client: who may frame it, what the
page's script is told, and the admin's name in each language."""
from __future__ import annotations

import types

import pytest

from connectors.tiendanube.embedding import ADMIN_ORIGINS, frame_ancestors
from tests.test_pages import frame_policy, page_config


def test_in_production_only_the_admins_origins_may_frame_the_page():
    """The store's own admin subdomain of each brand, and each brand's www origin."""
    production = types.SimpleNamespace(production=True, tiendanube_auth_origin="http://127.0.0.1:9999")
    assert frame_ancestors("", production) == ["https://*.mitiendanube.com", "https://*.lojavirtualnuvem.com.br",
                                               "https://www.tiendanube.com", "https://www.nuvemshop.com.br"]


def test_outside_production_the_configured_admin_may_frame_it_too(client, tn_sandbox):
    response = client.get("/?platform=tiendanube")

    assert frame_policy(response) == "frame-ancestors " + " ".join((*ADMIN_ORIGINS, tn_sandbox.url))
    assert "script-src 'self' https://cdn.shopify.com;" in response.headers["Content-Security-Policy"]
    assert 'name="shopify-api-key"' not in response.text


@pytest.mark.parametrize("locale,admin", [("en", "Tiendanube"), ("es", "Tiendanube"), ("pt-BR", "Nuvemshop")])
def test_the_page_is_told_its_bridge_and_the_admins_name(client, tn_sandbox, locale, admin):
    config = page_config(client.get(f"/?platform=tiendanube&locale={locale}"))

    assert config["mode"] == "embedded" and config["store"] is None and config["csrfToken"] is None
    embedding = config["embedding"]
    assert (embedding["platform"], embedding["admin"]) == ("tiendanube", admin)
    assert embedding["bridge"] == "/embedded/tiendanube/bridge.js" and tn_sandbox.url in embedding["origins"]
    assert embedding["signInUrl"] == "/auth/tiendanube"
    assert client.get(embedding["bridge"]).mimetype == "text/javascript"


def test_a_shopify_query_still_means_shopify(client):
    assert page_config(client.get("/?shop=acme.myshopify.com&platform=tiendanube"))["embedding"]["platform"] == "shopify"


def test_the_signed_out_page_offers_the_install_once_the_app_is_configured(app, client, settings):
    from admin.pages import sign_ins
    from tests.helpers import sign_in_forms

    tiendanube = sign_in_forms(client.get("/", headers={"Accept-Language": "pt-BR"}).text)["tiendanube"]
    assert (tiendanube["action"], tiendanube["input"], tiendanube["button"]) == (
        "/auth/tiendanube", None, "Instalar na Nuvemshop")
    off = settings.replace(tiendanube_app_id="", tiendanube_client_secret="")
    with app.test_request_context():
        assert "tiendanube" not in {way["platform"] for way in sign_ins(off)}
        assert "shopify" in {way["platform"] for way in sign_ins(off)}
