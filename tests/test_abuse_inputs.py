"""Abuse suite: crafted input at the public endpoints (issue 8: label limits, deep JSON, odd signatures)."""
from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import func, select

from models import Order, Package, WebhookReceipt
from tests.helpers import label_payload, make_store, post_label
from webhooks.signatures import base64_hmac_sha256


def _rows(app) -> tuple[int, int, int]:
    with app.extensions["db_sessionmaker"]() as session:
        return tuple(session.scalar(select(func.count()).select_from(t)) for t in (Order, Package, WebhookReceipt))


def _set(payload: dict, path: str, value) -> dict:
    payload = copy.deepcopy(payload)
    target = payload
    *parents, last = path.split(".")
    for name in parents:
        target = target[name]
    target[last] = value
    return payload


OVER = [("event_id", 256), ("store", 256), ("order_id", 65), ("package.id", 129),
        ("package.tracking_number", 129), ("package.carrier", 129)]


@pytest.mark.parametrize(("field", "length"), OVER)
def test_a_field_over_its_maximum_is_a_400_naming_it_and_stores_nothing(app, client, field, length):
    make_store(app)
    response = post_label(client, _set(label_payload(), field, "9" * length))
    assert response.status_code == 400 and field in response.json["error"]
    assert _rows(app) == (0, 0, 0)


def test_a_tracking_url_over_its_maximum_is_a_400(app, client):
    make_store(app)
    response = post_label(client, _set(label_payload(), "package.tracking_url", "https://x.example/" + "a" * 2000))
    assert response.status_code == 400 and "package.tracking_url" in response.json["error"]
    assert _rows(app) == (0, 0, 0)


def test_a_line_item_id_over_its_maximum_is_a_400(app, client):
    make_store(app)
    response = post_label(client, label_payload(items=[{"line_item_id": "1" * 65, "quantity": 1}]))
    assert response.status_code == 400 and "line_item_id" in response.json["error"]


def test_fields_at_their_maximum_are_accepted(app, client):
    make_store(app)
    payload = label_payload(event_id="e" * 255, order_id="7" * 64, package_id="p" * 128, tracking="T" * 128,
                            carrier="C" * 128)
    assert post_label(client, payload).status_code == 202
    assert _rows(app)[1] == 1


def test_too_many_items_or_too_large_a_quantity_is_a_400(app, client):
    make_store(app)
    many = [{"line_item_id": str(i), "quantity": 1} for i in range(251)]
    response = post_label(client, label_payload(items=many))
    assert response.status_code == 400 and "items" in response.json["error"]
    response = post_label(client, label_payload(items=[{"line_item_id": "1", "quantity": 10_001}]))
    assert response.status_code == 400 and "quantity" in response.json["error"]
    assert _rows(app) == (0, 0, 0)


DEEP = b"[" * 100_000 + b"]" * 100_000


def test_deeply_nested_json_is_a_400_on_every_json_endpoint(app, client):
    make_store(app)
    settings = app.config["SETTINGS"]
    label = client.post("/webhooks/labels", data=DEEP, content_type="application/json",
                        headers={"X-Label-Signature": base64_hmac_sha256(settings.label_webhook_secret, DEEP)})
    assert label.status_code == 400
    shopify = client.post("/webhooks/shopify", data=DEEP, content_type="application/json", headers={
        "X-Shopify-Hmac-Sha256": base64_hmac_sha256(settings.shopify_api_secret, DEEP),
        "X-Shopify-Topic": "orders/create", "X-Shopify-Shop-Domain": "acme.myshopify.com",
        "X-Shopify-Event-Id": "e1"})
    assert shopify.status_code == 400
    callback = client.post("/auth/woocommerce/callback", data=DEEP, content_type="application/json")
    assert callback.status_code == 400
    assert _rows(app) == (0, 0, 0)


@pytest.mark.parametrize("path,header", [("/webhooks/labels", "X-Label-Signature"),
                                         ("/webhooks/shopify", "X-Shopify-Hmac-Sha256")])
def test_a_non_ascii_signature_is_a_401(app, client, path, header):
    body = json.dumps(label_payload()).encode()
    response = client.post(path, data=body, content_type="application/json",
                           headers={header: "ñü€".encode().decode("latin-1"), "X-Shopify-Topic": "orders/create",
                                    "X-Shopify-Shop-Domain": "acme.myshopify.com", "X-Shopify-Event-Id": "e"})
    assert response.status_code == 401


def test_a_non_ascii_csrf_token_is_a_403(app, client):
    store_id = make_store(app, "woocommerce", "https://shop.example.com")
    with client.session_transaction() as session:
        session.update(store_id=store_id, generation=0, csrf="token")
    response = client.post("/api/sync", headers={"X-CSRF-Token": "é".encode().decode("latin-1")})
    assert response.status_code == 403
