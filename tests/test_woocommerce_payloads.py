"""Pure build/parse functions of the WooCommerce connector."""
from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from connectors.base import ConnectorError, Item, Shipment
from connectors.woocommerce import orders, tracking

VECTORS = json.loads((Path(__file__).resolve().parents[1] / "sandbox/woocommerce/samples/vectors.json").read_text())
REAL_ORDER = json.loads(next(d for d in VECTORS["deliveries"] if d["body_raw"].startswith("{"))["body_raw"])
SHIPMENT = Shipment("PKG 1/a", "14", "1Z999", "UPS", "https://ups.test/1Z999", (Item("1", 2), Item("3", 1)))


def test_a_real_order_parses():
    remote = orders.parse_order(REAL_ORDER)
    assert (remote.id, remote.name, remote.customer_name, remote.customer_email) == (
        "14", "#14", "Jane Customer", "jane.customer@example.test")
    assert [(li.id, li.quantity, li.sku) for li in remote.line_items] == [
        ("1", 2, "MUG-BLUE"), ("2", 1, "TOTE-CNV"), ("3", 3, "STK-PACK")]
    assert remote.fulfillment_status == "fulfilled" and not remote.cancelled  # it is completed
    assert remote.created_at == datetime(2026, 11, 28, 3, 34, 37)
    assert remote.updated_at == datetime.fromisoformat(REAL_ORDER["date_modified_gmt"])


@pytest.mark.parametrize("status,meta,expected", [
    ("processing", [], "unfulfilled"),
    ("processing", [{"key": "_fulfillment_status", "value": "partially_fulfilled"}], "partially_fulfilled"),
    ("processing", [{"key": "_fulfillment_status", "value": "no_fulfillments"}], "unfulfilled"),
    ("processing", [{"key": "_wc_shipment_tracking_items", "value": [{"tracking_number": "1"}]}],
     "partially_fulfilled"),
    ("processing", [{"key": "_wc_shipment_tracking_items", "value": []}], "unfulfilled"),
    ("completed", [], "fulfilled"),
])
def test_fulfillment_status_from_what_the_order_says(status, meta, expected):
    assert orders.fulfillment_status({"status": status, "meta_data": meta}) == expected


@pytest.mark.parametrize("status", ["cancelled", "refunded", "failed", "trash"])
def test_closed_orders_are_cancelled(status):
    assert orders.parse_order({"id": 1, "status": status}).cancelled


def test_merge_status_keeps_the_most_shipped():
    assert orders.merge_status("unfulfilled", "partially_fulfilled") == "partially_fulfilled"
    assert orders.merge_status("fulfilled", "partially_fulfilled") == "fulfilled"
    assert orders.merge_status(None, "bogus") == "unfulfilled"


def test_all_shipped_needs_every_line_in_full():
    order = {"line_items": [{"id": 1, "quantity": 2}, {"id": 3, "quantity": 1}, {"id": 4, "quantity": 0}]}
    assert not orders.all_shipped(order, Counter({"1": 2}))
    assert not orders.all_shipped(order, Counter({"1": 1, "3": 1}))
    assert orders.all_shipped(order, Counter({"1": 2, "3": 1}))
    assert not orders.all_shipped({"line_items": []}, Counter())


def test_markers_round_trip_odd_package_ids():
    text = "Shipped.\n" + tracking.marker(SHIPMENT, tracking_id="abc")
    fields = tracking.parse_marker(text)
    assert (fields["package"], fields["tracking"], fields["tracking_id"]) == ("PKG 1/a", "1Z999", "abc")
    assert fields["items"] == Counter({"1": 2, "3": 1})
    assert tracking.parse_marker("no marker here") is None


def test_the_ledger_counts_each_package_once():
    note = {"note": tracking.marker(SHIPMENT)}
    other = {"note": tracking.marker(Shipment("PKG-2", "14", "1Z2", "UPS", None, (Item("3", 1),)))}
    assert tracking.shipped_from_notes([note, dict(note), other, {"note": "hello"}]) == Counter({"1": 2, "3": 2})


def test_the_tracking_note_tells_the_customer_and_keeps_the_marker_in_a_private_ledger_note():
    note = tracking.build_tracking_note(SHIPMENT)
    assert note["customer_note"] is True
    assert "UPS" in note["note"] and "1Z999" in note["note"] and "https://ups.test/1Z999" in note["note"]
    assert "shipsync" not in note["note"].lower() and "PKG" not in note["note"] and "[" not in note["note"]
    ledger = tracking.build_ledger_note(SHIPMENT, note_id="7")
    assert ledger["customer_note"] is False
    assert tracking.find_note([{"id": 7, **note}, {"id": 8, **ledger}], SHIPMENT).fulfillment_id == "note:7"
    quiet = Shipment(**{**SHIPMENT.__dict__, "notify_customer": False})
    assert tracking.build_tracking_note(quiet)["customer_note"] is False


def test_the_tracking_note_is_in_the_stores_language():
    assert tracking.build_tracking_note(SHIPMENT, "es_ES")["note"].startswith("Tu pedido ha sido enviado con UPS.")
    assert tracking.build_tracking_note(SHIPMENT, "fr_FR")["note"].startswith("Your order has shipped with UPS.")


def test_shipment_tracking_payloads():
    providers = tracking.parse_providers({"Global": {"UPS": "https://ups/%number%", "DHL Express": "x"},
                                          "United States": {"USPS": "y"}})
    assert providers == [{"slug": "ups", "name": "UPS"}, {"slug": "dhl-express", "name": "DHL Express"},
                         {"slug": "usps", "name": "USPS"}]
    # A carrier the store's AST knows goes as its slug; AST would rewrite it anyway.
    assert tracking.build_shipment_tracking(SHIPMENT, providers) == {"tracking_provider": "ups",
                                                                     "tracking_number": "1Z999"}
    # Any other: a custom provider with the label's link.
    assert tracking.build_shipment_tracking(SHIPMENT) == {
        "custom_tracking_provider": "UPS", "custom_tracking_link": "https://ups.test/1Z999", "tracking_number": "1Z999"}
    bare = Shipment("P", "14", "1Z", "Local Courier", None, (Item("1", 1),))
    assert tracking.build_shipment_tracking(bare, providers) == {"custom_tracking_provider": "Local Courier",
                                                                 "tracking_number": "1Z"}
    ledger = tracking.build_ledger_note(SHIPMENT, tracking_id="t-1")
    assert ledger["customer_note"] is False and tracking.parse_marker(ledger["note"])["tracking_id"] == "t-1"


def test_native_payload_and_records():
    payload = tracking.build_native_fulfillment(SHIPMENT)
    assert payload["status"] == "fulfilled" and payload["notify_customer"] is True
    fulfillments = [{"id": 3, "is_fulfilled": True, "date_deleted": None, "meta_data": payload["meta_data"]},
                    {"id": 4, "is_fulfilled": True, "date_deleted": "2026-11-28 04:00:00",
                     "meta_data": payload["meta_data"]}]
    assert tracking.find_native(fulfillments, SHIPMENT).fulfillment_id == "fulfillment:3"
    assert tracking.shipped_from_native(fulfillments) == Counter({"1": 2, "3": 1})
    with pytest.raises(ConnectorError):
        tracking.build_native_fulfillment(Shipment("P", "14", "1Z", "UPS", None, (Item("abc", 1),)))


def test_detection_from_a_full_index():
    assert tracking.detect_from_index({"namespaces": ["wc/v3"]}) is None  # only a probe can tell
    native = {"routes": {"/wc/v3/orders/(?P<order_id>[\\d]+)/fulfillments": {}}, "namespaces": ["wc/v3"]}
    assert tracking.detect_from_index(native) == "native"
    real = {"routes": {"/wc/v3/orders": {}}, "namespaces": ["wc/v3", "wc-ast/v3", "wc-shipment-tracking/v3"]}
    assert tracking.detect_from_index(real) == "shipment_tracking"
    assert tracking.shipment_tracking_namespace({"namespaces": ["wc-ast/v3"]}) == "wc-ast/v3"
    assert tracking.detect_from_index({"routes": {}, "namespaces": ["wc/v3"]}) == "note"


@pytest.mark.parametrize("value", ["tracking:abc", "note:5", "fulfillment:12"])
def test_fulfillment_ids_name_their_backend(value):
    kind, record_id = tracking.parse_fulfillment_id(value)
    assert f"{kind}:{record_id}" == value


def test_a_foreign_fulfillment_id_is_refused():
    with pytest.raises(ConnectorError):
        tracking.parse_fulfillment_id("gid://shopify/Fulfillment/1")
