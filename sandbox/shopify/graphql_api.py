"""POST /admin/api/<version>/graphql.json: faults, auth, validation, cost, execution.

The order is Shopify's as seen from outside: a scripted fault pre-empts everything (it
plays the network or the edge), then the token is checked (401), then the document is
validated against the real schema (200 + errors), then its cost is charged to the
shop's bucket (200 + THROTTLED, nothing executed), then it runs.
"""
from __future__ import annotations

import dataclasses
import functools
import json
import time

from graphql import FieldNode, GraphQLError, execute, parse, validate

from .cost import MAX_QUERY_COST, operation_of, query_cost
from .resolvers import Resolvers
from .schema import admin_schema

INVALID_TOKEN = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
HTML_ERROR = ("<!DOCTYPE html><html><head><title>Shopify</title></head><body><h1>{status}</h1>"
              "<p>There was a problem loading this website. Please try again.</p></body></html>")
THROTTLE_DOC = "https://shopify.dev/api/usage/rate-limits"


@dataclasses.dataclass
class Answer:
    status: int
    body: object  # dict (JSON) or str (HTML)
    headers: dict = dataclasses.field(default_factory=dict)


@functools.lru_cache(maxsize=1024)
def parse_and_validate(query: str):
    """(document, error dicts) for a query text; cached because clients repeat documents."""
    try:
        document = parse(query)
    except GraphQLError as exc:
        return None, (_formatted(exc, "PARSE_ERROR"),)
    errors = validate(admin_schema(), document)
    return document, tuple(_formatted(e, "GRAPHQL_VALIDATION_FAILED") for e in errors)


def _formatted(error: GraphQLError, code: str) -> dict:
    formatted = dict(error.formatted)
    formatted["extensions"] = {**(formatted.get("extensions") or {}), "code": code}
    return formatted


def describe(document, operation_name: str | None) -> dict:
    """Operation type, name and root fields, for fault matching and the request log."""
    op = operation_of(document, operation_name) if document else None
    if op is None:
        return {"operation_type": None, "operation_name": operation_name, "root_field": None, "names": set()}
    roots = [s.name.value for s in op.selection_set.selections if isinstance(s, FieldNode)]
    name = op.name.value if op.name else None
    return {"operation_type": op.operation.value, "operation_name": name,
            "root_field": roots[0] if roots else None, "names": {n for n in [name, *roots] if n}}


def fault_answer(store, fault: dict, requested: int, shop) -> Answer | None:
    """The answer a pre-empting fault gives (None for lost_response, which answers later)."""
    kind = fault["kind"]
    html = fault.get("body") != "json"
    if kind == "timeout":
        store.sleep(fault.get("seconds") or 30)
        return Answer(504, HTML_ERROR.format(status="504 Gateway Timeout"))
    if kind in ("lost_response", "applied_error", "pass"):
        return None
    if kind == "html":
        return Answer(200, HTML_ERROR.format(status="Something went wrong"))
    if kind == "401":
        return Answer(401, INVALID_TOKEN)
    if kind == "429":
        return Answer(429, {"errors": "Exceeded 2 calls per second for api client. Reduce request rates to "
                                      "resume uninterrupted service."},
                      {"Retry-After": str(fault.get("retry_after") or 2)})
    if kind == "throttled":  # as if the bucket were empty: the client should wait requested/restore
        status = {**shop.bucket.status(), "currentlyAvailable": 0}
        return Answer(200, throttled_body(requested, status))
    status = int(kind)
    if html and status >= 500:
        return Answer(status, HTML_ERROR.format(status=f"{status} Service Unavailable"))
    return Answer(status, {"errors": {500: "Internal Server Error", 503: "Service Unavailable"}.get(status, "Error")})


def throttled_body(requested: int, status: dict) -> dict:
    return {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": THROTTLE_DOC}}],
            "extensions": {"cost": {"requestedQueryCost": requested, "actualQueryCost": None,
                                    "throttleStatus": status}}}


def handle(store, shop_domain: str, token: str | None, raw: bytes, entry: dict) -> Answer:
    """Answer one GraphQL call to ``shop_domain``; ``entry`` is its request-log record."""
    try:
        payload = json.loads(raw or b"{}")
        query, variables = payload["query"], payload.get("variables") or {}
        operation_name = payload.get("operationName")
    except (ValueError, KeyError, TypeError, AttributeError):
        return Answer(400, {"errors": {"query": "Required parameter missing or invalid"}})
    if not isinstance(variables, dict):
        return Answer(400, {"errors": {"variables": "must be an object"}})
    entry["throttled"] = False
    document, errors = parse_and_validate(str(query))
    info = describe(document, operation_name)
    entry.update({k: v for k, v in info.items() if k != "names"}, variables=variables)
    shop = store.shops.get(shop_domain)
    if shop is None:
        return Answer(404, {"errors": "Not Found"})
    fault = (store.take_fault(shop_domain, info["operation_type"], info["names"])
             or store.chaos_fault(shop_domain, info["operation_type"]))
    entry["fault"] = fault["kind"] if fault else None
    op = operation_of(document, operation_name) if document and not errors else None
    requested = query_cost(admin_schema(), document, op, variables) if op else 0
    if fault:
        answer = fault_answer(store, fault, requested, shop)
        if answer:
            entry["throttled"] = fault["kind"] == "throttled"
            return answer
    with store.lock:
        authorized = store.tokens.check(shop_domain, token)
    if not authorized:
        return Answer(401, INVALID_TOKEN)
    if shop.latency_seconds:
        store.sleep(shop.latency_seconds)
    if errors:
        return Answer(200, {"errors": list(errors)})
    if op is None:
        return Answer(200, {"errors": [{"message": "An operation name is required"}]})
    if requested > MAX_QUERY_COST:
        return Answer(200, {"errors": [{
            "message": f"Query cost is {requested}, which exceeds the single query max cost limit ({MAX_QUERY_COST}).",
            "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": MAX_QUERY_COST}}]})
    answer = _execute(store, shop, document, op, operation_name, variables, requested, entry)
    if fault and fault["kind"] == "lost_response":
        store.sleep(fault.get("seconds") or 30)  # the write happened; the answer comes too late
    if fault and fault["kind"] == "applied_error" and op.operation.value == "mutation":
        return Answer(503, HTML_ERROR.format(status="503 Service Unavailable"))  # the write happened anyway
    return answer


def _execute(store, shop, document, op, operation_name, variables, requested, entry) -> Answer:
    schema = admin_schema()
    with store.lock:
        bucket = shop.bucket
        bucket.refill(time.monotonic())
        if requested > bucket.available:
            entry["throttled"] = True
            return Answer(200, throttled_body(requested, bucket.status()))
        bucket.available -= requested
        resolvers = Resolvers(store, shop)
        root = resolvers.mutation_root() if op.operation.value == "mutation" else resolvers.query_root()
        result = execute(schema, document, root_value=root, variable_values=variables,
                         operation_name=operation_name, type_resolver=_type_of)
        actual = query_cost(schema, document, op, variables, data=result.data or {})
        bucket.available = min(bucket.maximum, bucket.available + max(0, requested - actual))
        status = bucket.status()
        entry.update(requested_cost=requested, actual_cost=actual)  # what the bucket was charged
    body = {"data": result.data}
    if result.errors:
        body["errors"] = [dict(e.formatted) for e in result.errors]
    body["extensions"] = {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual,
                                   "throttleStatus": status}}
    return Answer(200, body)


def _type_of(value, info, abstract_type):
    return value.get("__typename") if isinstance(value, dict) else None
