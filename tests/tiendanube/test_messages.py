"""Tiendanube's failure messages in the page's three languages (connectors/tiendanube/messages.py).

Each message is the one the connector really writes — raised against the sandbox store, or
by the error table from an answer Tiendanube documents — then read back through
``sync.messages`` as the page and the API do: re-worded in Spanish and in Brazilian
Portuguese (where the platform is Nuvemshop), with the store's parts carried over."""
from __future__ import annotations

import json

import pytest
import requests

from connectors.base import ConnectorError, Item, Shipment
from connectors.tiendanube import errors
from connectors.tiendanube import fulfillment_orders as fo_

LANGUAGES = {"es": "Tiendanube", "pt-BR": "Nuvemshop"}


def label(order: dict, number="BR1", items=None) -> Shipment:
    items = items or [(str(p["id"]), int(p["quantity"])) for p in order["products"]]
    return Shipment(package_id="PKG", order_id=str(order["id"]), tracking_number=number, carrier="Correios",
                    tracking_url=None, items=tuple(Item(line, q) for line, q in items), notify_customer=False)


def failure(call) -> str:
    with pytest.raises(ConnectorError) as caught:
        call()
    return caught.value.message


def answer(status: int, body, **headers) -> requests.Response:
    response = requests.Response()
    response.status_code, response._content = status, json.dumps(body).encode()
    response.headers.update({"Content-Type": "application/json", **headers})
    return response


def fo(status="UNPACKED", code=None, kind="ship", lines=None) -> fo_.FulfillmentOrder:
    from collections import Counter

    return fo_.FulfillmentOrder(id="01HFO", number="1001-1", status=status, code=code, shipping_type=kind,
                                lines=Counter(lines or {"11": 1}))


def in_every_language(app, english: str, *carried: str) -> dict[str, str]:
    """``english`` as each language's page shows it; each must be ShipSync's words, re-worded."""
    from sync.messages import translate, written_by_shipsync

    shown = {}
    for language, platform in LANGUAGES.items():
        with app.test_request_context(headers={"Accept-Language": language}):
            assert written_by_shipsync(english), english
            text = translate(english)
        assert text != english and platform in text, (language, text)
        assert language == "es" or "Tiendanube" not in text, text  # Nuvemshop in Brazil
        for part in carried:
            assert part in text, (language, part, text)
        shown[language] = text
    assert shown["es"] != shown["pt-BR"]
    return shown


# --- raised against the sandbox ------------------------------------------------------------------------
def test_a_cancelled_order(app, tn_store, connect):
    order = tn_store.create_order([{"name": "Caneca", "quantity": 1}])
    tn_store.cancel_order(order["id"])
    shown = in_every_language(app, failure(lambda: connect(tn_store).create_fulfillment(label(order))))
    assert "anula la etiqueta" in shown["es"] and "cancele a etiqueta" in shown["pt-BR"]


def test_an_unknown_order_keeps_its_id(app, tn_store, connect):
    missing = {"id": 9999999999, "products": [{"id": 1, "quantity": 1}]}
    shown = in_every_language(app, failure(lambda: connect(tn_store).create_fulfillment(label(missing))),
                              "9999999999")
    assert shown["pt-BR"].startswith("A Nuvemshop não tem o pedido 9999999999")


def test_a_shipment_the_merchant_dispatched_with_another_code_keeps_the_code(app, tn_store, connect):
    order = tn_store.create_order([{"name": "Caneca", "quantity": 1}])
    tn_store.dispatch_in_admin(order["id"], code="MERCHANT-9")
    number = tn_store.fulfillment_orders(order["id"])[0]["number"]
    shown = in_every_language(app, failure(lambda: connect(tn_store).create_fulfillment(label(order))),
                              "MERCHANT-9", str(number))
    assert "código de rastreio MERCHANT-9" in shown["pt-BR"] and "painel da Nuvemshop" in shown["pt-BR"]


def test_part_of_a_shipment_names_what_would_be_announced(app, tn_store, connect):
    order = tn_store.create_order([{"name": "Caneca", "quantity": 1}, {"name": "Boné", "quantity": 1}])
    first, second = (str(p["id"]) for p in order["products"])
    english = failure(lambda: connect(tn_store).create_fulfillment(label(order, items=[(first, 1)])))
    in_every_language(app, english, f"1 × item {second}")


def test_a_pickup_and_shipments_not_created_yet(app, tn_store, connect):
    pickup = tn_store.create_order([{"name": "Caneca", "quantity": 1}], shipping_type="pickup")
    in_every_language(app, failure(lambda: connect(tn_store).create_fulfillment(label(pickup))))
    unrouted = tn_store.create_order([{"name": "Caneca", "quantity": 1}], route=False)
    in_every_language(app, failure(lambda: connect(tn_store).create_fulfillment(label(unrouted))))


def test_items_the_order_does_not_hold(app, tn_store, connect):
    order = tn_store.create_order([{"name": "Caneca", "quantity": 1}])
    line = str(order["products"][0]["id"])
    in_every_language(app, failure(lambda: connect(tn_store).create_fulfillment(label(order, items=[("42", 1)]))),
                      "42")
    in_every_language(app, failure(lambda: connect(tn_store).create_fulfillment(label(order, items=[(line, 3)]))),
                      "3 × ", line)


def test_a_revoked_token_asks_to_re_authorize(app, tn_store, connect):
    order = tn_store.create_order([{"name": "Caneca", "quantity": 1}])
    shown = in_every_language(app, failure(lambda: connect(tn_store, token="revoked").create_fulfillment(label(order))))
    assert "vuelve a autorizar" in shown["es"] and "autorize o ShipSync novamente" in shown["pt-BR"]


def test_a_dispatched_shipment_cannot_be_undone(app, tn_store, connect):
    order = tn_store.create_order([{"name": "Caneca", "quantity": 1}])
    connector = connect(tn_store)
    result = connector.create_fulfillment(label(order, number="BR777"))
    in_every_language(app, failure(lambda: connector.cancel_fulfillment(str(order["id"]), result.fulfillment_id)),
                      "BR777")


# --- the states and answers the sandbox is not asked to reach here ------------------------------------
@pytest.mark.parametrize("shipment, carried", [
    (fo("DISPATCHED", "OTHER-1"), ("OTHER-1", "1001-1")),
    (fo("DISPATCHED"), ("1001-1",)),
    (fo("DELIVERED", "OTHER-2"), ("OTHER-2",)),
    (fo("DELIVERED"), ("1001-1",)),
    (fo("READY_FOR_PICKUP"), ("1001-1",)),
    (fo("READY_FOR_PICKUP", "OTHER-3"), ("OTHER-3",)),
    (fo(kind="non-shippable"), ("1001-1",)),
    (fo("CANCELLED"), ()),
])
def test_every_state_that_stops_a_dispatch(app, shipment, carried):
    english = failure(lambda: fo_.plan([shipment], fo_.wanted_items(label({"id": 1, "products": [
        {"id": 11, "quantity": 1}]})), "BR1"))
    in_every_language(app, english, *carried)


@pytest.mark.parametrize("status, body, carried", [
    (402, {"code": 402, "message": "Payment Required"}, ()),
    (403, {"code": 403, "message": "Forbidden"}, ()),
    (415, {"code": 415, "message": "Unsupported Media Type"}, ()),
    (429, {"code": 429, "message": "Too Many Requests"}, ()),
    (503, {"code": 503, "message": "Service Unavailable"}, ("503",)),
    (400, {"description": "Bad Request", "message": "Order is cancelled"}, ()),
    (400, {"description": "Bad Request", "message": "Invalid status transition"}, ()),
    (404, {"code": 404, "message": "Not Found", "description": "Webhook with such id does not exist"},
     ("Webhook with such id does not exist",)),
    (422, {"url": ["invalid url specified"]}, ("url: invalid url specified",)),  # the store's words, carried
])
def test_the_error_table(app, status, body, carried):
    in_every_language(app, errors.from_response(answer(status, body), "dispatch the shipment").message, *carried)


def test_a_correction_for_a_shipment_not_on_the_order(app, tn_store, connect):
    order = tn_store.create_order([{"name": "Caneca", "quantity": 1}])
    connector = connect(tn_store)
    connector.create_fulfillment(label(order, number="BR777"))
    english = failure(lambda: connector.update_tracking("01HNOTONTHISORDER0000000000", label(order, number="BR778")))
    in_every_language(app, english, "01HNOTONTHISORDER0000000000")


def test_an_answer_that_is_not_json(app):
    response = requests.Response()
    response.status_code, response._content = 502, b"<html>Bad gateway</html>"
    in_every_language(app, errors.not_json(response, "read the order").message)


def test_the_connection(app):
    in_every_language(app, errors.from_exception(requests.Timeout(), 10).message, "10")
    in_every_language(app, errors.from_exception(requests.ConnectionError(), 10).message)
