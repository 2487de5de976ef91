"""The one receive skeleton of every webhook source: dedupe → handle → record → commit → enqueue.

A blueprint verifies a delivery its own way (each source signs differently), finds the
topic's handler and calls ``receive``. Handlers take ``(session, store, payload)`` and return
``(response, work)``: the JSON answer, kept with the receipt, and the tasks to queue once
the transaction is committed (a task must find the rows it names). A handler refuses by
raising ``Refused``; a payload that is not its topic's shape (ValueError, TypeError,
KeyError, AttributeError) is a 400. Either way nothing it changed is kept. Nothing here
calls a store: stores want their answer within seconds.
"""
from __future__ import annotations

import dataclasses
import logging
from typing import Callable

from flask import jsonify

from webhooks import receipts

log = logging.getLogger(__name__)

BAD_SHAPE = (ValueError, TypeError, KeyError, AttributeError)


class Refused(Exception):
    """The delivery is answered ``status`` with ``body`` and changes nothing (200: ignored)."""

    def __init__(self, status: int, body: dict):
        super().__init__(body)
        self.status, self.body = status, body


def first_answer(earlier) -> tuple:
    """A repeat gets the answer the first copy got."""
    return jsonify(earlier.response), 200


def duplicate(_earlier) -> tuple:
    return jsonify(duplicate=True), 200


@dataclasses.dataclass(frozen=True)
class Source:
    """How one sender's deliveries are answered."""

    name: str  # WebhookReceipt.source: "labels", "shopify", "woocommerce:<store id>", …
    accepted_status: int = 200
    repeat: Callable = first_answer  # (earlier receipt) → the answer to a repeat
    # Look for the receipt before handling. Off for a sender whose handlers are idempotent
    # and whose volume is high (labels): the receipt's insert is then the dedupe.
    look_first: bool = True

    def not_its_shape(self, topic: str, _error: Exception) -> str:
        return f"the body is not a {topic} payload"


def receive(session, source: Source, key: str, topic: str, find_store: Callable, handler: Callable, payload, *,
            keep_receipt: bool = True):
    """Answer one verified delivery. ``find_store()`` returns its store or raises Refused;
    ``keep_receipt=False`` for a handler that erases the store's rows (its receipt with them)."""
    if source.look_first and (earlier := receipts.previous_response(session, source.name, key)) is not None:
        return source.repeat(earlier)
    try:
        store = find_store()
        response, work = handler(session, store, payload)
    except Refused as refusal:
        session.rollback()
        earlier = receipts.previous_response(session, source.name, key)  # a copy may have won meanwhile
        return source.repeat(earlier) if earlier is not None else (jsonify(refusal.body), refusal.status)
    except BAD_SHAPE as error:
        session.rollback()  # signed by the sender, yet not this topic's shape
        log.warning("%s webhook %s: unexpected payload shape (%s)", source.name, topic, type(error).__name__)
        return jsonify(error=source.not_its_shape(topic, error)), 400
    if keep_receipt and not receipts.record(session, source.name, key, store_id=store.id, topic=topic,
                                            response=response):
        session.rollback()  # a concurrent copy of this delivery was recorded first
        return source.repeat(receipts.previous_response(session, source.name, key))
    session.commit()
    for task in work:
        task()
    return jsonify(response or {}), source.accepted_status
