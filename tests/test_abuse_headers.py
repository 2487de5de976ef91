"""Abuse suite: security headers on pages, the API and webhooks (issue 8, low)."""
from __future__ import annotations

import pytest

from tests.helpers import make_store

SHOP = "acme.myshopify.com"


def _directives(response) -> dict:
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in policy.split(";")) if d}


@pytest.mark.parametrize("path", ["/", f"/?shop={SHOP}", "/no-such-page", "/auth/woocommerce?store_url=x"])
def test_pages_carry_a_full_content_security_policy(client, path):
    directives = _directives(client.get(path))
    assert directives["script-src"] == ["'self'", "https://cdn.shopify.com"]
    assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'none'"]
    assert "frame-ancestors" in directives and "'unsafe-inline'" not in directives.get("script-src", [])


@pytest.mark.parametrize("method,path", [("GET", "/"), ("GET", "/api/orders"), ("GET", "/api/store"),
                                         ("POST", "/webhooks/labels"), ("GET", "/healthz")])
def test_every_response_is_nosniff_and_the_api_and_pages_are_not_cached(client, method, path):
    response = client.open(path, method=method)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    if path == "/" or path.startswith("/api/"):
        assert response.headers["Cache-Control"] == "no-store"


def test_a_signed_in_api_answer_is_not_cached(app, client):
    store_id = make_store(app, "woocommerce", "https://shop.example.com")
    with client.session_transaction() as session:
        session.update(store_id=store_id, generation=0, csrf="t")
    response = client.get("/api/orders")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


def test_hsts_in_production_only(settings, client):
    from app import create_app

    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    production = create_app(settings.replace(app_env="production", app_url="https://shipsync.example.com"))
    response = production.test_client().get("/healthz", base_url="https://shipsync.example.com")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
