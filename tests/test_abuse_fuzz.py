"""Abuse suite: property-based fuzzing of every HTTP entry point (issue 8).

Hypothesis draws signed-but-ill-typed label payloads (any JSON at any field), unsigned
junk bodies with odd headers for every webhook and the connect callback, and odd query
strings, paths and methods for every ``/api`` and ``/auth`` route, with and without a
session. (Each platform's signed webhooks of any shape: test_abuse_platforms.py.) The properties: never a 5xx; nothing changes without a valid signature or
session; the app is healthy afterwards. Example counts keep each test to tens of seconds
per backend (``.ci/run`` runs the suite on SQLite and on PostgreSQL + Redis).
"""
from __future__ import annotations

import copy
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st
from sqlalchemy import func, select

from models import Store
from tests.helpers import label_payload, make_store, row_counts
from tests.strategies import json_values as json_values_of, with_nul
from webhooks.signatures import base64_hmac_sha256

FUZZ = hypothesis_settings(max_examples=300, deadline=None, database=None, derandomize=True,
                           suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                  HealthCheck.data_too_large])


json_values = json_values_of(max_text=300, max_leaves=12)
# Query strings, paths and bodies: any latin-1 text, NUL included. Header values cannot carry
# a NUL (nor a line break) on the wire: header_text leaves them out.
odd_text = with_nul(st.text(alphabet=st.characters(codec="latin-1", exclude_characters="\r\n"), max_size=40))
header_text = st.text(alphabet=st.characters(codec="latin-1", exclude_characters="\r\n\x00"), max_size=80)
header_names = st.sampled_from(["X-Label-Signature", "X-Shopify-Hmac-Sha256", "X-Shopify-Topic",
                                "X-Shopify-Shop-Domain", "X-Shopify-Event-Id", "X-WC-Webhook-Signature",
                                "X-WC-Webhook-Topic", "X-WC-Webhook-Delivery-ID", "Authorization",
                                "X-CSRF-Token", "Content-Type", "Accept-Language", "Cookie"])
odd_headers = st.dictionaries(header_names, header_text, max_size=6)

LABEL_FIELDS = ["event", "event_id", "platform", "store", "order_id", "package", "package.id",
                "package.tracking_number", "package.carrier", "package.tracking_url", "package.items",
                "package.items.0", "package.items.0.line_item_id", "package.items.0.quantity"]
SHOP = "acme.myshopify.com"


def _replace(payload: dict, path: str, value) -> dict:
    payload = copy.deepcopy(payload)
    target = payload
    *parents, last = path.split(".")
    for name in parents:
        target = target[int(name)] if isinstance(target, list) else target[name]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return payload


def _healthy(client):
    # /readyz: this web process reaches its database and queue (/healthz also wants a worker's
    # heartbeat, which these tests do not run).
    assert client.get("/readyz").status_code == 200


@pytest.fixture
def stores(app):
    """Store A (Shopify, the labels' store) and store B (WooCommerce, with a session)."""
    return make_store(app, "shopify", SHOP), make_store(app, "woocommerce", "https://b.example.com")


def test_signed_but_ill_typed_label_payloads_never_5xx(app, client, stores):
    secret = app.config["SETTINGS"].label_webhook_secret

    @FUZZ
    @given(field=st.sampled_from(LABEL_FIELDS), value=json_values, event=st.sampled_from(
        ["label.created", "label.voided"]))
    def post(field, value, event):
        payload = _replace(label_payload(event=event), field, value)
        body = json.dumps(payload).encode()
        response = client.post("/webhooks/labels", data=body, content_type="application/json",
                               headers={"X-Label-Signature": base64_hmac_sha256(secret, body)})
        assert response.status_code in (200, 202, 400, 404, 409), (field, value, response.data[:200])
    post()
    _healthy(client)


@pytest.mark.parametrize("path", ["/webhooks/labels", "/webhooks/shopify", "/webhooks/woocommerce/2",
                                  "/webhooks/woocommerce/999", "/webhooks/woocommerce/2147483648", "/auth/woocommerce/callback"])
def test_unsigned_junk_with_odd_headers_changes_nothing(app, client, stores, path):
    before = row_counts(app)

    @hypothesis_settings(FUZZ, max_examples=80)
    @given(body=st.binary(max_size=600) | json_values.map(lambda v: json.dumps(v).encode()), headers=odd_headers,
           content_type=st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain", ""]))
    def post(body, headers, content_type):
        response = client.post(path, data=body, headers={k: v for k, v in headers.items() if k != "Content-Type"},
                               content_type=content_type or None)
        assert response.status_code < 500, (body[:100], headers, response.data[:200])
    post()
    assert row_counts(app) == before
    _healthy(client)


def _routes(app, prefixes=("/api/", "/auth/", "/")):
    """Every rule under /api and /auth (and the page): what the fuzz must cover."""
    return sorted({(r.rule, m) for r in app.url_map.iter_rules() for m in r.methods - {"HEAD", "OPTIONS"}
                   if r.rule.startswith(("/api/", "/auth/")) or r.rule == "/"})


def _fill(rule: str, data) -> str:
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: str(data.draw(
        st.integers(min_value=-5, max_value=2**40) if m.group(1) == "int" else odd_text.filter(
            lambda s: s and "/" not in s and "?" not in s and "#" not in s and s not in (".", "..")))), rule)


def test_odd_queries_on_every_api_and_auth_route_without_a_session_change_nothing(app, stores):
    client = app.test_client()
    before = row_counts(app)
    routes = _routes(app)
    assert {"/api/orders", "/api/store", "/auth/woocommerce/return", "/auth/shopify/callback"} <= {r for r, _ in routes}

    @hypothesis_settings(FUZZ, max_examples=300)
    @given(route=st.sampled_from(routes), query=st.dictionaries(odd_text, odd_text, max_size=5),
           headers=odd_headers, data=st.data())
    def call(route, query, headers, data):
        rule, method = route
        if rule == "/auth/woocommerce/callback":
            return  # the store's server posts there: fuzzed with junk bodies above
        response = client.open(_fill(rule, data), method=method, query_string=query,
                               headers={k: v for k, v in headers.items() if k != "Cookie"})
        assert response.status_code < 500, (rule, method, query, response.data[:200])
    call()
    assert row_counts(app) == before
    _healthy(client)


def test_odd_queries_with_a_session_never_5xx(app, client, stores):
    with client.session_transaction() as session:
        session.update(store_id=stores[1], generation=0, csrf="csrf")
    routes = [r for r in _routes(app) if r[0].startswith("/api/")]

    @hypothesis_settings(FUZZ, max_examples=200)
    @given(route=st.sampled_from(routes), query=st.dictionaries(
        st.sampled_from(["tab", "page", "per_page", "q", "cursor", "sort", "from", "to", "cause", "carrier"])
        | odd_text, odd_text | st.integers().map(str), max_size=5), body=json_values, data=st.data())
    def call(route, query, body, data):
        rule, method = route
        response = client.open(_fill(rule, data), method=method, query_string=query, json=body,
                               headers={"X-CSRF-Token": "csrf"})
        assert response.status_code < 500, (rule, method, query, body, response.data[:200])
    call()
    with app.extensions["db_sessionmaker"]() as session:
        assert session.scalar(select(func.count()).select_from(Store)) == 2
    _healthy(client)
