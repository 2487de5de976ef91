"""Every GraphQL document ShipSync sends is valid against the pinned Admin schema."""
from __future__ import annotations

import pytest
from graphql import NoDeprecatedCustomRule, OperationDefinitionNode, parse, validate

from connectors.shopify import documents
from connectors.shopify.orders import ORDERS_PAGE_SIZE
from sandbox.shopify.cost import MAX_QUERY_COST, operation_of, query_cost

# Discovered, not listed: a document added to documents.py is tested without touching this file.
DOCUMENTS = {name: value for name, value in vars(documents).items()
             if name.isupper() and not name.startswith("_") and isinstance(value, str)}
# Variables whose value changes a document's requested cost.
COST_VARIABLES = {"OPEN_ORDERS_QUERY": {"first": ORDERS_PAGE_SIZE}}


def test_documents_are_discovered():
    assert {"ORDER_QUERY", "FULFILLMENT_ORDERS_QUERY", "FULFILLMENT_CREATE", "FULFILLMENT_CANCEL",
            "ORDER_FULFILLMENTS_QUERY", "OPEN_ORDERS_QUERY", "WEBHOOK_SUBSCRIPTION_CREATE"} <= set(DOCUMENTS)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_is_valid(shopify_schema, name):
    errors = validate(shopify_schema, parse(DOCUMENTS[name]))
    assert errors == [], f"{name}: {[e.message for e in errors]}"


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_uses_no_deprecated_field(shopify_schema, name):
    errors = validate(shopify_schema, parse(DOCUMENTS[name]), [NoDeprecatedCustomRule])
    assert errors == [], f"{name}: {[e.message for e in errors]}"


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_is_one_named_operation(name):
    operations = [d for d in parse(DOCUMENTS[name]).definitions if isinstance(d, OperationDefinitionNode)]
    assert len(operations) == 1 and operations[0].name.value.startswith("ShipSync")


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_cost_stays_under_shopify_single_query_limit(shopify_schema, name):
    document = parse(DOCUMENTS[name])
    cost = query_cost(shopify_schema, document, operation_of(document, None), COST_VARIABLES.get(name, {}))
    assert 0 < cost <= MAX_QUERY_COST


def test_a_wrong_field_is_caught(shopify_schema):
    broken = DOCUMENTS["FULFILLMENT_ORDERS_QUERY"].replace("remainingQuantity", "remainingQty")
    messages = [e.message for e in validate(shopify_schema, parse(broken))]
    assert any("remainingQty" in m and "FulfillmentOrderLineItem" in m for m in messages)


def test_a_wrong_argument_type_is_caught(shopify_schema):
    broken = DOCUMENTS["FULFILLMENT_CREATE"].replace("FulfillmentInput!", "FulfillmentV2Input!")
    assert validate(shopify_schema, parse(broken))


def test_a_deprecated_field_is_caught(shopify_schema):
    deprecated = DOCUMENTS["WEBHOOK_SUBSCRIPTIONS_QUERY"].replace("uri", "callbackUrl")
    assert validate(shopify_schema, parse(deprecated)) == []
    assert validate(shopify_schema, parse(deprecated), [NoDeprecatedCustomRule])


@pytest.mark.parametrize("name", sorted(documents.REQUESTED_COST))
def test_the_rate_budget_reserves_each_sync_document_at_its_real_requested_cost(shopify_schema, name):
    document = parse(DOCUMENTS[name])
    assert documents.REQUESTED_COST[name] == query_cost(shopify_schema, document, operation_of(document, None), {})


def test_the_order_import_paces_itself_on_its_real_requested_cost(shopify_schema):
    document = parse(DOCUMENTS["OPEN_ORDERS_QUERY"])
    assert documents.OPEN_ORDERS_REQUESTED_COST == query_cost(
        shopify_schema, document, operation_of(document, None), COST_VARIABLES["OPEN_ORDERS_QUERY"])
