"""Webhooks (pure): the topics ShipSync registers, signature checks, payload parsing, and the
registration plan that keeps exactly one subscription per topic.

A delivery is signed with ``x-linkedstore-hmac-sha256``: the lowercase hex HMAC-SHA256 of
the raw body keyed with the app's client secret. Payloads carry ids only
(``{"store_id", "event", "id"}``; fulfillment-order events add ``order_id``,
``fulfillment_id``, ``status``), as numbers or strings: read the order back.
"""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json

from .ids import as_id

TOPICS = ("order/created", "order/updated", "order/cancelled", "app/uninstalled")
SIGNATURE_HEADER = "x-linkedstore-hmac-sha256"
PRIVACY_TOPICS = ("store/redact", "customers/redact", "customers/data_request")


@dataclasses.dataclass(frozen=True)
class WebhookEvent:
    store_id: str
    event: str
    resource_id: str | None  # the order id for order events, the app id for app events
    order_id: str | None  # the order the event is about, when there is one


def sign(client_secret: str, raw_body: bytes) -> str:
    return hmac.new(client_secret.encode(), raw_body, hashlib.sha256).hexdigest()


def verify_signature(client_secret: str, raw_body: bytes, header: str | None) -> bool:
    """Whether ``header`` is the signature of exactly these bytes (constant-time compare)."""
    if not client_secret or not header:
        return False
    # As bytes: compare_digest refuses str with non-ASCII characters, and a header can carry any.
    return hmac.compare_digest(sign(client_secret, raw_body).encode(), header.strip().lower().encode("utf-8", "replace"))


def parse_webhook(raw_body: bytes | str | dict) -> WebhookEvent:
    """The ids of a delivery; raises ValueError on a body that is not one."""
    data = raw_body
    if isinstance(raw_body, (bytes, str)):
        try:
            data = json.loads(raw_body)
        except ValueError:
            raise ValueError("the body is not JSON") from None
    if not isinstance(data, dict):
        raise ValueError("the body is not a JSON object")
    store_id, event = as_id(data.get("store_id")), data.get("event")
    if not store_id or not store_id.isdigit():
        raise ValueError("store_id is missing or not a number")
    if not isinstance(event, str) or "/" not in event:
        raise ValueError("event is missing")
    resource_id = as_id(data.get("id"))
    order_id = as_id(data.get("order_id")) or (resource_id if event.startswith("order/") else None)
    if event.startswith(("order/", "fulfillment_order/")) and not (order_id and order_id.isdigit()):
        raise ValueError("the order id is missing or not a number")
    return WebhookEvent(store_id, event, resource_id, order_id)


# Topics handled by reading the order back: a later, genuine change arrives with the very same
# body ({store_id, event, id}), so their repeats are dropped only within a short window (a
# delivery retried because our answer was slow); past it, reading the order again is harmless.
READ_BACK_TOPICS = ("order/created", "order/updated")
READ_BACK_WINDOW_SECONDS = 120


def delivery_key(data: dict, event: str, now: float) -> str:
    """The dedupe key of a delivery: Tiendanube sends no delivery id and retries for days, so
    the content is the identity (key order and number-or-string ids do not matter)."""
    canonical = json.dumps({k: as_id(v) if k in ("store_id", "id", "order_id") else v for k, v in data.items()},
                           sort_keys=True, separators=(",", ":"), default=str)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return f"{digest}:{int(now // READ_BACK_WINDOW_SECONDS)}" if event in READ_BACK_TOPICS else digest


def plan_registrations(existing: list[dict], callback_url: str, topics=TOPICS) -> tuple[list[str], list[str]]:
    """(topics to create, webhook ids to delete): one subscription per topic at ``callback_url``;
    duplicates and our topics pointing elsewhere (an old app URL) go."""
    keep: set[str] = set()
    delete: list[str] = []
    for webhook in existing:
        event, webhook_id = webhook.get("event"), as_id(webhook.get("id"))
        if event not in topics or webhook_id is None:
            continue
        if webhook.get("url") == callback_url and event not in keep:
            keep.add(event)
        else:
            delete.append(webhook_id)
    return [t for t in topics if t not in keep], delete
