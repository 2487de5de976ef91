"""Abuse suite, once per registered platform (tests/<platform>/driver.py, tests/platform_drivers.py):
its webhook entry point refuses what a stranger can send — an oversized body, a malformed or
forged one, a signature header of any bytes, a store ShipSync does not have — with a 4xx (an
unknown store is acknowledged and ignored), never a 5xx, and changes nothing; signed bodies of
any shape never fail the server. (Its sign-in/install routes are fuzzed with every other
/auth route by test_abuse_fuzz.py.)"""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from tests import platform_drivers
from tests.helpers import row_counts
from tests.platform_drivers import UNKNOWN
from tests.strategies import json_values as json_values_of, nul_values

FUZZ = hypothesis_settings(max_examples=150, deadline=None, database=None, derandomize=True,
                           suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
json_values = json_values_of(max_text=120, max_leaves=10)
FIELDS = ["id", "store_id", "event", "order_id", "customer", "orders_to_redact", "orders_requested", "status",
          "line_items", "updated_at", "shop_domain", "myshopify_domain", "fulfillment_order",
          "number", "name", "email", "contact_email", "billing", "shipping", "products", "customer_note"]


@pytest.fixture(params=platform_drivers.with_hook("abuse_driver"))
def entry(request, app) -> platform_drivers.AbuseDriver:
    return platform_drivers.load(request.param).abuse_driver(request, app)


def test_an_oversized_delivery_is_a_413(app, client, entry):
    before = row_counts(app)
    body = json.dumps({**entry.order_payload("1"), "pad": "x" * 2_000_000}).encode()
    assert entry.post(client, body, entry.topics[0]).status_code == 413
    assert row_counts(app) == before


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b"{", b"\xff\xfe"])
def test_a_signed_malformed_body_is_a_4xx_and_changes_nothing(app, client, entry, body):
    before = row_counts(app)
    answer = entry.post(client, body, entry.topics[0])
    assert 400 <= answer.status_code < 500 or answer.json.get("ignored"), answer.get_data()[:200]
    assert row_counts(app) == before


def test_a_forged_delivery_is_a_401_and_changes_nothing(app, client, entry):
    before = row_counts(app)
    for topic in entry.topics:
        genuine = json.dumps(entry.order_payload("4242")).encode()
        assert entry.post(client, genuine, topic, signature="0" * 64).status_code == 401
        assert entry.post(client, genuine, topic, signature="").status_code == 401
    assert row_counts(app) == before


def test_a_non_ascii_signature_header_is_a_401(app, client, entry):
    answer = entry.post(client, entry.order_payload("1"), entry.topics[0],
                        signature="ñü€".encode().decode("latin-1"))
    assert answer.status_code == 401


def test_a_delivery_for_a_store_shipsync_does_not_have_changes_nothing(app, client, entry):
    before = row_counts(app)
    for topic in entry.topics:
        answer = entry.post(client, entry.order_payload("1234567890"), topic, store=UNKNOWN)
        assert answer.status_code < 500 and (answer.status_code >= 400 or answer.json.get("ignored")), (
            topic, answer.status_code, answer.get_data()[:200])
    assert row_counts(app) == before


def test_signed_deliveries_of_any_shape_never_fail_the_server(app, client, entry):
    """A platform's signature vouches for the sender, not for the shape of what it sends."""

    @FUZZ
    @given(topic=st.sampled_from(entry.topics), field=st.sampled_from(FIELDS), value=json_values,
           whole=json_values, replace=st.booleans())
    def post(topic, field, value, whole, replace):
        payload = whole if replace else {**entry.order_payload("1234567890"), field: value}
        _answers_without_failing(client, entry, topic, payload)
    post()
    assert client.get("/readyz").status_code == 200


def test_signed_deliveries_with_a_nul_in_their_text_never_fail_the_server(app, client, entry):
    """A store may send a NUL in any string (an id, a customer's e-mail, a list of orders to
    redact); PostgreSQL refuses one in any text value, so none may reach a query as it is."""

    @hypothesis_settings(FUZZ, max_examples=80)
    @given(topic=st.sampled_from(entry.topics), field=st.sampled_from(FIELDS), value=nul_values)
    def post(topic, field, value):
        _answers_without_failing(client, entry, topic, {**entry.order_payload("1234567890"), field: value})
    post()
    assert client.get("/readyz").status_code == 200


def _answers_without_failing(client, entry, topic, payload):
    answer = entry.post(client, json.dumps(payload).encode(), topic)
    assert answer.status_code < 500, (topic, payload, answer.status_code, answer.get_data()[:200])
    assert answer.is_json
