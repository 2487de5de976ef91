"""POST /webhooks/labels: the shipping platform tells us a label was created or voided."""
from __future__ import annotations

import dataclasses
import json

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select

from connectors import PLATFORMS
from db import get_session
from models import SYNCING, UNINSTALLED, Order, Package
from stores import find_store
from sync import packages
from sync.orders import refresh_order_state
from webhooks import label_storage
from webhooks.delivery import Refused, Source
from webhooks.delivery import receive as receive_delivery
from webhooks.signatures import valid_base64_hmac

bp = Blueprint("label_webhooks", __name__)

EVENTS = ("label.created", "label.voided")


# The maximum of every field (README "Security"): the columns they are stored in, and sane
# bounds on a package. Past one the answer is a 400 naming the field, never a database error.
MAX_LENGTH = {"event_id": 255, "store": 255, "order_id": 64, "package.id": 128, "package.tracking_number": 128,
              "package.carrier": 128, "package.tracking_url": 2000, "line_item_id": 64}
MAX_ITEMS = 250
MAX_QUANTITY = 10_000


class BadLabel(ValueError):
    """The payload breaks a rule; the message says which, for the shipping platform's logs."""


@dataclasses.dataclass(frozen=True)
class Label:
    event: str
    event_id: str
    platform: str
    store: str
    order_id: str
    package_id: str
    tracking_number: str
    carrier: str
    tracking_url: str | None
    items: tuple[dict, ...]


def _text(value, rule: str, field: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value).strip() == "":
        raise BadLabel(rule)
    return _bounded(str(value).strip(), field)


def _bounded(value: str, field: str) -> str:
    if len(value) > MAX_LENGTH[field]:
        raise BadLabel(f"{field} must be at most {MAX_LENGTH[field]} characters")
    if "\x00" in value:  # PostgreSQL cannot store it: a 400 here, not a database error
        raise BadLabel(f"{field} must not contain NUL characters")
    return value


def parse_label(data) -> Label:
    """Check a label payload against DESIGN §4; raise BadLabel naming the first broken rule."""
    if not isinstance(data, dict):
        raise BadLabel("the body must be a JSON object")
    if data.get("event") not in EVENTS:
        raise BadLabel(f"event must be one of {', '.join(EVENTS)}")
    if not isinstance(data.get("platform"), str) or data["platform"] not in PLATFORMS:
        raise BadLabel(f"platform must be one of {', '.join(PLATFORMS)}")
    label_id = PLATFORMS[data["platform"]].label_id  # e.g. a Shopify GID → its number
    package = data.get("package")
    if not isinstance(package, dict):
        raise BadLabel("package must be an object")
    tracking_number = package.get("tracking_number")
    if not isinstance(tracking_number, str) or not tracking_number.strip():
        raise BadLabel("only packages with a label (tracking number) can be synchronized")
    _bounded(tracking_number.strip(), "package.tracking_number")
    tracking_url = package.get("tracking_url")
    if tracking_url is not None and (not isinstance(tracking_url, str)
                                     or not tracking_url.startswith(("https://", "http://"))):
        raise BadLabel("tracking_url must be an http(s) URL")
    carrier = package.get("carrier") if isinstance(package.get("carrier"), str) else ""
    return Label(
        event=data["event"],
        event_id=_text(data.get("event_id"), "event_id is required", "event_id"),
        platform=data["platform"],
        store=_text(data.get("store"), "store is required", "store"),
        order_id=label_id(_text(data.get("order_id"), "order_id is required", "order_id")),
        package_id=_text(package.get("id"), "package.id is required", "package.id"),
        tracking_number=tracking_number.strip(),
        carrier=_bounded(carrier, "package.carrier"),
        tracking_url=tracking_url if tracking_url is None else _bounded(tracking_url, "package.tracking_url"),
        items=_parse_items(package.get("items"), label_id),
    )


def _parse_items(items, label_id) -> tuple[dict, ...]:
    rule = "a package must contain products (at least one line item with quantity > 0)"
    if not isinstance(items, list):
        raise BadLabel(rule)
    if len(items) > MAX_ITEMS:
        raise BadLabel(f"package.items must hold at most {MAX_ITEMS} items")
    parsed = []
    for item in items:
        if not isinstance(item, dict):
            raise BadLabel("each item must be an object with line_item_id and quantity")
        quantity = item.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 <= quantity <= MAX_QUANTITY:
            raise BadLabel(f"item quantity must be a whole number from 0 to {MAX_QUANTITY}")
        line_item_id = label_id(_text(item.get("line_item_id"), "each item needs a line_item_id", "line_item_id"))
        if quantity > 0:
            parsed.append({"line_item_id": line_item_id, "quantity": quantity})
    if not parsed:
        raise BadLabel(rule)
    return tuple(parsed)


def _error(status: int, message: str):
    return jsonify(error=message), status


def _refuse(status: int, message: str):
    raise Refused(status, {"error": message})


@bp.post("/webhooks/labels")
def receive_label():
    body = request.get_data(cache=True)
    if not valid_base64_hmac(current_app.config["SETTINGS"].label_webhook_secret, body,
                             request.headers.get("X-Label-Signature")):
        return _error(401, "invalid X-Label-Signature")
    try:
        label = parse_label(json.loads(body))
    except (ValueError, UnicodeDecodeError) as error:  # BadLabel and malformed JSON alike
        message = str(error) if isinstance(error, BadLabel) else "the body is not valid JSON"
        return _error(400, message)
    if label.event == "label.created":
        new = label_storage.store_new_package(current_app.extensions["db_engine"], SOURCE.name, label)
        if new is not None:  # committed: the common case, in one statement on PostgreSQL
            for task in _new_package_work(new.store_id, new.package_id, label.order_id if new.new_order else None,
                                          new.auto_sync):
                task()
            return jsonify(package_id=label.package_id, status=new.status), SOURCE.accepted_status
    return store_label(get_session(), label)


# Labels come by the hundred and their handlers are idempotent: the receipt's insert is the dedupe.
SOURCE = Source("labels", accepted_status=202, look_first=False)


def store_label(session, label: Label):
    """Record a valid label in one short transaction, then enqueue its work (after commit:
    a task must find the rows it names). A repeated delivery gets the first answer, 200."""
    def find():
        store = find_store(session, label.platform, label.store)
        if store is None or store.status == UNINSTALLED:
            raise Refused(404, {"error": f"unknown store {label.store!r} for platform {label.platform}"})
        return store

    handler = accept_created if label.event == "label.created" else accept_voided
    return receive_delivery(session, SOURCE, label.event_id, label.event, find, handler, label)


def _find_package(session, store_id: int, package_id: str) -> Package | None:
    return session.execute(
        select(Package).where(Package.store_id == store_id, Package.external_id == package_id)
    ).scalar_one_or_none()


def accept_created(session, store, label: Label):
    """Record the package; return (response, tasks to run after commit)."""
    auto_sync = store.merged_settings().get("auto_sync", True)
    order_id, new_order = label_storage.upsert_order(session, store.id, label.order_id)
    state = packages.initial_state(auto_sync)
    package_id = label_storage.insert_package(session, dict(
        store_id=store.id, order_id=order_id, package_external_id=label.package_id,
        tracking_number=label.tracking_number, carrier=label.carrier, tracking_url=label.tracking_url,
        items=list(label.items), **state))
    if package_id is None:  # the package exists: a repeat, a new tracking number, a void undone
        return _update_package(session, store, label, order_id, auto_sync)
    work = _new_package_work(store.id, package_id, label.order_id if new_order else None, auto_sync)
    return {"package_id": label.package_id, "status": state["status"]}, work


def _new_package_work(store_id: int, package_id: int, import_order: str | None, auto_sync: bool) -> list:
    """The tasks a new package needs once committed: its order read when new to us, and its sync."""
    queue = current_app.extensions["shipsync"].queue
    if auto_sync:
        return [lambda: queue.label_accepted(store_id, package_id, import_order)]
    return [lambda: queue.import_order(store_id, import_order)] if import_order else []


def _update_package(session, store, label: Label, order_id: int, auto_sync: bool):
    queue = current_app.extensions["shipsync"].queue
    order = session.get(Order, order_id)
    package = _find_package(session, store.id, label.package_id)
    if package.order_id != order.id:
        _refuse(409, f"package {label.package_id} belongs to another order")
    if package.tracking_number == label.tracking_number and not package.voided:
        refresh_order_state(order)  # the upsert marked it as needing sync; the package says otherwise
        return {"package_id": package.external_id, "status": package.status}, []
    if package.fulfillment_id and not package.voided:
        answer = accept_correction(session, store, package, label)
        refresh_order_state(order)
        return answer
    packages.relabel(package, label, auto_sync)
    session.flush()
    refresh_order_state(order)
    work = [lambda: queue.sync(package.id)] if auto_sync else []
    return {"package_id": package.external_id, "status": package.status}, work


def accept_correction(session, store, package: Package, label: Label):
    """The shipping platform re-issued the label of a package the store already has: correct
    the fulfillment's tracking instead of creating a second one."""
    if sorted(map(_item_key, package.items)) != sorted(map(_item_key, label.items)):
        _refuse(409, f"package {label.package_id} is already synchronized with other items; void its label first")
    packages.correct_tracking(package, label.tracking_number, label.carrier, label.tracking_url)
    response = {"package_id": package.external_id}
    if package.status == SYNCING:
        # A worker is writing it now; it sees the new number when it records and goes again.
        return {**response, "status": package.status}, []
    if not store.merged_settings().get("auto_sync", True):
        packages.wait_for_merchant(package)
        return {**response, "status": package.status}, []
    packages.restart(package)
    queue = current_app.extensions["shipsync"].queue
    return {**response, "status": package.status}, [lambda: queue.sync(package.id)]


def _item_key(item: dict) -> tuple[str, int]:
    return str(item["line_item_id"]), int(item["quantity"])


def accept_voided(session, store, label: Label):
    queue = current_app.extensions["shipsync"].queue
    package = _find_package(session, store.id, label.package_id)
    if package is None:
        _refuse(404, f"unknown package {label.package_id}")
    return {"package_id": package.external_id, "status": "voided"}, [lambda: queue.void(package.id)]

