"""Tracking payloads and records for the three WooCommerce tracking backends. Pure functions.

- ``native``: WooCommerce 10.1+ order fulfillments (``wc/v3/orders/<id>/fulfillments``), each
  with its items (``_items``: ``[{item_id, qty}]``) and tracking meta.
- ``shipment_tracking``: the Shipment Tracking API (WooCommerce.com's extension and the
  Advanced Shipment Tracking plugin). Its items carry no line items, so each package also
  gets a private order note holding a machine-readable *ledger marker* (package, items).
- ``note``: an order note to the customer with carrier, number and link, worded as a person
  would write it, plus the same private ledger note.

The ledger is what lets us count what previous packages shipped, to set the order
``completed`` only when every item has; notes are append-only, so two packages of one
order written at the same moment cannot overwrite each other's record. The marker never
goes into anything a customer sees: WooCommerce e-mails a customer note as written (and
WordPress's typography turns ``13x1`` into ``13×1`` on the way).
"""
from __future__ import annotations

import dataclasses
import re
from collections import Counter
from urllib.parse import quote, unquote

from connectors.base import INVALID_DATA, ConnectorError, Shipment

NATIVE, SHIPMENT_TRACKING, NOTE = "native", "shipment_tracking", "note"
BACKENDS = (NATIVE, SHIPMENT_TRACKING, NOTE)
# Both Shipment Tracking plugins register the same controller under these namespaces.
SHIPMENT_TRACKING_NAMESPACES = ("wc-shipment-tracking/v3", "wc-ast/v3")
NATIVE_ROUTE = re.compile(r"^/wc/v3/orders/\(\?P<order_id>[^)]*\)/fulfillments$")

PACKAGE_META = "_shipsync_package"
_MARKER = re.compile(r"\[shipsync ([^\]]*)\]")


@dataclasses.dataclass(frozen=True)
class Record:
    """A tracking record found or written in the store. ``id`` is what cancel_fulfillment needs."""

    kind: str
    id: str
    detail: str | None = None  # how the store shows it (e.g. which AST provider), for the history

    @property
    def fulfillment_id(self) -> str:
        return f"{self.kind}:{self.id}"


def parse_fulfillment_id(value: str) -> tuple[str, str]:
    kind, _, record_id = (value or "").partition(":")
    if kind not in ("fulfillment", "tracking", "note") or not record_id:
        raise ConnectorError(INVALID_DATA, f"Not a ShipSync WooCommerce fulfillment id: {value!r}")
    return kind, record_id


# --- detection --------------------------------------------------------------------------

def detect_from_index(index: dict) -> str | None:
    """The backend the ``GET /wp-json/`` index proves, or None when only a probe can tell.

    Native fulfillments live in the ``wc/v3`` namespace, so only the route list shows them;
    a store that honours ``_fields`` sends no routes, and ``probe_native`` decides.
    """
    routes = index.get("routes") if isinstance(index, dict) else None
    if isinstance(routes, dict):
        if any(NATIVE_ROUTE.match(route) for route in routes):
            return NATIVE
        return SHIPMENT_TRACKING if shipment_tracking_namespace(index) else NOTE
    return None


def shipment_tracking_namespace(index: dict) -> str | None:
    namespaces = index.get("namespaces") if isinstance(index, dict) else None
    for namespace in SHIPMENT_TRACKING_NAMESPACES:
        if isinstance(namespaces, list) and namespace in namespaces:
            return namespace
    return None


# --- markers (the ledger) ----------------------------------------------------------------

def marker(shipment: Shipment, **extra: str) -> str:
    items = ",".join(f"{quote(item.line_item_id, safe='')}x{item.quantity}" for item in shipment.items)
    fields = {"package": shipment.package_id, "tracking": shipment.tracking_number, **extra}
    return "[shipsync " + " ".join(f"{k}={quote(v, safe='')}" for k, v in fields.items()) + f" items={items}]"


def parse_marker(text: str) -> dict | None:
    """``{package, tracking, items: Counter, …}`` from a note's marker, or None."""
    match = _MARKER.search(text or "")
    if not match:
        return None
    fields = {}
    for part in match.group(1).split():
        key, _, value = part.partition("=")
        fields[key] = value if key == "items" else unquote(value)
    items = Counter()
    for entry in filter(None, fields.get("items", "").split(",")):
        line_id, _, quantity = entry.rpartition("x")
        if line_id and quantity.isdigit():
            items[unquote(line_id)] += int(quantity)
    fields["items"] = items
    return fields if fields.get("package") else None


def shipped_from_notes(notes: list) -> Counter:
    """Items shipped according to the ledger markers, one entry per package."""
    seen, shipped = set(), Counter()
    for note in notes or []:
        fields = parse_marker(note.get("note", "")) if isinstance(note, dict) else None
        if fields and fields["package"] not in seen:
            seen.add(fields["package"])
            shipped.update(fields["items"])
    return shipped


def find_marker_note(notes: list, **wanted: str | None) -> dict | None:
    """The first ledger note whose marker has every given field (``tracking=``, ``package=``,
    ``tracking_id=``, ``note_id=``) equal to the value."""
    wanted = {k: v for k, v in wanted.items() if v is not None}
    for note in notes or []:
        fields = parse_marker(note.get("note", "")) if isinstance(note, dict) else None
        if fields and wanted and all(fields.get(k) == v for k, v in wanted.items()):
            return note
    return None


# --- native fulfillments -------------------------------------------------------------------

def build_native_fulfillment(shipment: Shipment) -> dict:
    """``POST wc/v3/orders/<id>/fulfillments``: a fulfilled fulfillment with items and tracking."""
    meta = [
        {"key": "_items", "value": [{"item_id": _int_id(item.line_item_id), "qty": item.quantity}
                                    for item in shipment.items]},
        {"key": "_tracking_number", "value": shipment.tracking_number},
        {"key": "_shipping_provider", "value": shipment.carrier},
        {"key": PACKAGE_META, "value": shipment.package_id},
    ]
    if shipment.tracking_url:
        meta.append({"key": "_tracking_url", "value": shipment.tracking_url})
    return {"status": "fulfilled", "is_fulfilled": True, "notify_customer": shipment.notify_customer,
            "meta_data": meta}


def fulfillment_meta(fulfillment: dict, key: str):
    for entry in fulfillment.get("meta_data") or []:
        if isinstance(entry, dict) and entry.get("key") == key:
            return entry.get("value")
    return None


def _live(fulfillment) -> bool:
    return isinstance(fulfillment, dict) and not fulfillment.get("date_deleted")


def find_native(fulfillments: list, shipment: Shipment) -> Record | None:
    for fulfillment in fulfillments or []:
        if _live(fulfillment) and fulfillment_meta(fulfillment, "_tracking_number") == shipment.tracking_number:
            return Record("fulfillment", str(fulfillment["id"]))
    return None


def shipped_from_native(fulfillments: list) -> Counter:
    shipped = Counter()
    for fulfillment in fulfillments or []:
        if _live(fulfillment) and fulfillment.get("is_fulfilled"):
            for item in fulfillment_meta(fulfillment, "_items") or []:
                if isinstance(item, dict) and "item_id" in item:
                    shipped[str(item["item_id"])] += int(float(item.get("qty") or 0))
    return shipped


# --- Shipment Tracking API -------------------------------------------------------------------

def parse_providers(data) -> list[dict]:
    """``[{slug, name}]`` from ``GET <namespace>/orders/<id>/shipment-trackings/providers``,
    which answers the names AST knows grouped by country: ``{"Global": {"UPS": "<link>", …}}``.
    The slug is the name as WordPress's ``sanitize_title`` makes it, which AST also accepts."""
    providers, seen = [], set()
    for group in (data.values() if isinstance(data, dict) else []):
        for name in (group if isinstance(group, dict) else {}):
            slug = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")
            if slug and slug not in seen:
                seen.add(slug)
                providers.append({"slug": slug, "name": str(name)})
    return providers


def provider_slug(providers: list | None, carrier: str) -> str | None:
    """AST's slug for the carrier when the store's provider list has it (by name or slug)."""
    wanted = (carrier or "").strip().lower()
    for provider in providers or []:
        if isinstance(provider, dict) and wanted in (str(provider.get("name", "")).lower(), provider.get("slug")):
            return provider["slug"]
    return None


def build_shipment_tracking(shipment: Shipment, providers: list | None = None) -> dict:
    """``POST <namespace>/orders/<id>/shipment-trackings``.

    A carrier the store's provider list has is sent as AST's slug (``tracking_provider``):
    AST maps any name it knows to its own provider and link anyway, even one sent as a
    custom provider. Any other carrier goes as a custom provider with the label's link
    (without a link, AST would show "shipped with  and tracking number …"). ``date_shipped``
    is not sent: the store ignores it and uses today.
    """
    slug = provider_slug(providers, shipment.carrier)
    if slug:
        return {"tracking_provider": slug, "tracking_number": shipment.tracking_number}
    payload = {"custom_tracking_provider": shipment.carrier or "Carrier", "tracking_number": shipment.tracking_number}
    if shipment.tracking_url:
        payload["custom_tracking_link"] = shipment.tracking_url
    return payload


def describe_provider(payload: dict) -> str:
    """Which way the tracking went, for the package's history."""
    if payload.get("tracking_provider"):
        return f"Advanced Shipment Tracking provider {payload['tracking_provider']}"
    return f"custom provider {payload.get('custom_tracking_provider')!r} with the label's link"


def find_tracking(items: list, shipment: Shipment) -> Record | None:
    for item in items or []:
        if isinstance(item, dict) and item.get("tracking_number") == shipment.tracking_number:
            return Record("tracking", str(item.get("tracking_id")))
    return None


def build_ledger_note(shipment: Shipment, **record: str) -> dict:
    """A private note (the customer never sees it) recording what the package shipped and
    where its tracking record is (``tracking_id=`` or ``note_id=``)."""
    text = (f"ShipSync: package {shipment.package_id} shipped with {shipment.carrier or 'the carrier'}, "
            f"tracking {shipment.tracking_number}.\n{marker(shipment, **record)}")
    return {"note": text, "customer_note": False}


# --- order note -----------------------------------------------------------------------------

# The customer note in the store's language (WordPress's locale, e.g. ``es_ES``), English otherwise.
_CUSTOMER_NOTE = {
    "en": ("Your order has shipped with {carrier}. Tracking number: {number}.", "Track your package: {url}",
           "our carrier", "Correction: your package has a new tracking number."),
    "es": ("Tu pedido ha sido enviado con {carrier}. Número de seguimiento: {number}.",
           "Sigue tu paquete: {url}", "nuestro transportista", "Corrección: tu paquete tiene un nuevo número de "
                                                               "seguimiento."),
}


def build_tracking_note(shipment: Shipment, language: str | None = None, corrected: bool = False) -> dict:
    """The customer note: carrier, number and link, nothing else (what ShipSync needs to
    count goes into the private ledger note); a correction says so first. With
    notify_customer off it is a private note, so the customer is not emailed."""
    shipped, track, fallback, correction = _CUSTOMER_NOTE.get((language or "en")[:2].lower(), _CUSTOMER_NOTE["en"])
    lines = [correction] if corrected else []
    lines.append(shipped.format(carrier=shipment.carrier or fallback, number=shipment.tracking_number))
    if shipment.tracking_url:
        lines.append(track.format(url=shipment.tracking_url))
    return {"note": "\n".join(lines), "customer_note": bool(shipment.notify_customer)}


def find_note(notes: list, shipment: Shipment) -> Record | None:
    """The package's customer note, through its ledger entry (``note_id``); a ledger marker
    without one is from before customer notes were kept apart, and is the note itself."""
    ledger = find_marker_note(notes, tracking=shipment.tracking_number)
    if ledger is None:
        return None
    return Record("note", str(parse_marker(ledger["note"]).get("note_id") or ledger["id"]))


def find_unrecorded_note(notes: list, shipment: Shipment) -> Record | None:
    """A tracking note carrying this number but no ledger entry (the ledger write was lost)."""
    for note in notes or []:
        if (isinstance(note, dict) and shipment.tracking_number in str(note.get("note", ""))
                and parse_marker(note.get("note", "")) is None
                and bool(note.get("customer_note")) == bool(shipment.notify_customer)):
            return Record("note", str(note["id"]))
    return None


def _int_id(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ConnectorError(INVALID_DATA, f"Line item id {value!r} is not a WooCommerce line item id.") from None
