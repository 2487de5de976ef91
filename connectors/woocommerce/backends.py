"""The three ways to put tracking on a WooCommerce order, behind one small interface.

Each backend answers ``find`` (read first: re-posting duplicates), ``write`` and
``cancel``. ``find`` and ``write`` also return what the order has shipped so far, read
*after* this package's own record was written: when two packages of one order are
written at the same moment, the one that writes last sees both, so the order still
gets completed.
"""
from __future__ import annotations

from collections import Counter

from connectors.base import INVALID_DATA, TOKEN_EXPIRED, ConnectorError, Shipment
from connectors.woocommerce import tracking
from connectors.woocommerce.tracking import Record
from connectors.woocommerce.transport import StoreClient


class Backend:
    kind: str

    def __init__(self, client: StoreClient):
        self.client = client

    def find(self, order_id: str, shipment: Shipment) -> tuple[Record | None, Counter | None]:
        raise NotImplementedError

    def write(self, order_id: str, shipment: Shipment) -> tuple[Record, Counter]:
        raise NotImplementedError

    def cancel(self, order_id: str, kind: str, record_id: str) -> None:
        raise NotImplementedError

    def write_correction(self, order_id: str, shipment: Shipment) -> tuple[Record, Counter]:
        """The record replacing one with a wrong tracking number (the same as a write, but
        for a note the customer reads)."""
        return self.write(order_id, shipment)

    def shipped(self, order_id: str) -> Counter:
        """What every package so far shipped, from the ledger notes (native overrides)."""
        return tracking.shipped_from_notes(self.notes(order_id))

    # Notes are shared by all three: the note backend is made of them, the Shipment
    # Tracking backend keeps its ledger in them, and any backend may have to cancel one.
    def notes(self, order_id: str) -> list:
        notes = self.client.get(f"wc/v3/orders/{order_id}/notes", params=[("type", "any")])
        return notes if isinstance(notes, list) else []

    def write_ledger(self, order_id: str, shipment: Shipment, **record: str) -> list:
        """The package's private ledger note; returns the notes as they are now."""
        self.client.post(f"wc/v3/orders/{order_id}/notes", tracking.build_ledger_note(shipment, **record))
        return self.notes(order_id)

    def delete_ledger(self, order_id: str, **record: str) -> None:
        """Drop a package's ledger entry (found by its record), so it no longer counts as shipped."""
        for note in self.notes(order_id):
            if tracking.find_marker_note([note], **record) is not None:
                self.delete_note(order_id, str(note["id"]))

    def delete_note(self, order_id: str, note_id: str) -> None:
        _gone_is_fine(lambda: self.client.delete(f"wc/v3/orders/{order_id}/notes/{note_id}",
                                                 params=[("force", "true")]))


class NativeBackend(Backend):
    """WooCommerce 10.1+ order fulfillments: items and tracking in one record."""

    kind = tracking.NATIVE

    def __init__(self, client: StoreClient, preloaded: dict | None = None):
        super().__init__(client)
        self._preloaded = dict(preloaded or {})  # the detection probe's answer, used once

    def route(self, order_id: str) -> str:
        return f"wc/v3/orders/{order_id}/fulfillments"

    def read(self, order_id: str) -> list:
        if order_id in self._preloaded:
            return self._preloaded.pop(order_id)
        fulfillments = self.client.get(self.route(order_id))
        return fulfillments if isinstance(fulfillments, list) else []

    def shipped(self, order_id):
        return tracking.shipped_from_native(self.read(order_id))

    def find(self, order_id, shipment):
        fulfillments = self.read(order_id)
        record = tracking.find_native(fulfillments, shipment)
        return (record, tracking.shipped_from_native(fulfillments)) if record else (None, None)

    def write(self, order_id, shipment):
        created = self.client.post(self.route(order_id), tracking.build_native_fulfillment(shipment))
        record = Record("fulfillment", str(_field(created, "id")))
        return record, tracking.shipped_from_native(self.read(order_id))

    def cancel(self, order_id, kind, record_id):
        if kind == "note":
            return self.delete_note(order_id, record_id)
        # A missing fulfillment is an HTTP 400 there, not a 404: look before deleting.
        if any(str(f.get("id")) == record_id and not f.get("date_deleted")
               for f in self.read(order_id) if isinstance(f, dict)):
            self.client.delete(f"{self.route(order_id)}/{record_id}")


class ShipmentTrackingBackend(Backend):
    """The Shipment Tracking API, plus a private ledger note per package (its items have no line items)."""

    kind = tracking.SHIPMENT_TRACKING

    def __init__(self, client: StoreClient, namespace: str = "wc-shipment-tracking/v3", providers=None):
        super().__init__(client)
        self.namespace = namespace
        self.providers = providers or None  # [{slug, name}] the store's AST knows, when read

    def route(self, order_id: str) -> str:
        return f"{self.namespace}/orders/{order_id}/shipment-trackings"

    def load_providers(self, order_id: str) -> list | None:
        """The store's provider list (any order id serves: the list is the store's)."""
        answer = optional_read(lambda: self.client.get(f"{self.route(order_id)}/providers"))
        self.providers = tracking.parse_providers(answer) or None
        return self.providers

    def find(self, order_id, shipment):
        items = self.client.get(self.route(order_id))
        record = tracking.find_tracking(items if isinstance(items, list) else [], shipment)
        if record is None:
            return None, None
        # The tracking may have been written by an attempt whose ledger note was lost.
        notes = self.notes(order_id)
        if tracking.find_marker_note(notes, tracking_id=record.id) is None:
            notes = self._write_ledger(order_id, shipment, record.id)
        return record, tracking.shipped_from_notes(notes)

    def write(self, order_id, shipment):
        payload = tracking.build_shipment_tracking(shipment, self.providers)
        created = self.client.post(self.route(order_id), payload)
        record = Record("tracking", str(_field(created, "tracking_id")), tracking.describe_provider(payload))
        return record, tracking.shipped_from_notes(self._write_ledger(order_id, shipment, record.id))

    def _write_ledger(self, order_id: str, shipment: Shipment, tracking_id: str) -> list:
        return self.write_ledger(order_id, shipment, tracking_id=tracking_id)

    def cancel(self, order_id, kind, record_id):
        if kind == "note":
            return self.delete_note(order_id, record_id)
        _gone_is_fine(lambda: self.client.delete(f"{self.route(order_id)}/{record_id}"))
        self.delete_ledger(order_id, tracking_id=record_id)


class NoteBackend(Backend):
    """A customer note with carrier, number and link, and a private ledger note naming it."""

    kind = tracking.NOTE

    def __init__(self, client: StoreClient, language: str | None = None):
        super().__init__(client)
        self.language = language

    def find(self, order_id, shipment):
        notes = self.notes(order_id)
        record = tracking.find_note(notes, shipment)
        if record is None:
            # The customer note may have been written by an attempt whose ledger note was lost.
            record = tracking.find_unrecorded_note(notes, shipment)
            if record is None:
                return None, None
            notes = self.write_ledger(order_id, shipment, note_id=record.id)
        return record, tracking.shipped_from_notes(notes)

    def write(self, order_id, shipment, corrected: bool = False):
        created = self.client.post(f"wc/v3/orders/{order_id}/notes",
                                   tracking.build_tracking_note(shipment, self.language, corrected))
        record = Record("note", str(_field(created, "id")))
        return record, tracking.shipped_from_notes(self.write_ledger(order_id, shipment, note_id=record.id))

    def write_correction(self, order_id, shipment):
        return self.write(order_id, shipment, corrected=True)

    def cancel(self, order_id, kind, record_id):
        self.delete_note(order_id, record_id)
        self.delete_ledger(order_id, note_id=record_id)


def _field(data, key: str):
    if not isinstance(data, dict) or data.get(key) in (None, ""):
        raise ConnectorError(INVALID_DATA, f"The store's answer has no {key}.")
    return data[key]


def optional_read(read):
    """``read()``, or None when the store cannot answer it: for what only refines a write (a
    provider list, a language). Refused keys still raise: nothing else would work either."""
    try:
        return read()
    except ConnectorError as error:
        if error.cause == TOKEN_EXPIRED:
            raise
        return None


def _gone_is_fine(delete) -> None:
    """Deleting what is already gone succeeded (a retry after a lost response)."""
    try:
        delete()
    except ConnectorError as error:
        if not (error.http_status == 404 and error.cause == INVALID_DATA):
            raise
