"""Storing an accepted label in as few database round trips as the work needs.

A shipping platform printing a batch sends hundreds of labels at once. On PostgreSQL the
common case — a new package of a known store — is one statement in one round trip
(``store_new_package``, in autocommit: a statement is its own transaction): the store
found, its order found or created, the package inserted and the delivery recorded.
Whatever else it is (an unknown or uninstalled store, a package that exists, a delivery
already recorded, also when another request commits it while the statement runs) the
statement changes nothing and leaves it to the general path in webhooks/labels.py, which
answers every case as before.

That general path is also SQLite's common case (SQLite has no INSERT inside WITH): three
statements in one short transaction — the order found or created in one upsert, the
package inserted, the delivery recorded (``webhooks.receipts``) — each an INSERT … ON
CONFLICT that both PostgreSQL and SQLite run.
"""
from __future__ import annotations

import dataclasses
import functools
import json
import re

from psycopg.errors import UniqueViolation
from sqlalchemy import JSON, DateTime, bindparam, text

import db
from models import UNFULFILLED, UNINSTALLED, utcnow
from stores import normalize_domain
from sync import packages


# Plain SQL, its parameters among ``types`` typed so that JSON and timestamps are converted as
# the models do; SQLAlchemy compiles each text only once.
def _typed(sql: str, **types):
    return text(sql).bindparams(*(bindparam(name, type_=kind) for name, kind in types.items()
                                  if re.search(rf":{name}\b", sql)))


# The columns a label writes, shared by both paths.
_ORDER_COLUMNS = ("store_id, external_id, line_items, fulfillment_status, requires_sync, cancelled, "
                  "placed_at, created_at, updated_at")
_ORDER_VALUES = ":order_external_id, :line_items, :unfulfilled, true, false, :now, :now, :now"
# A new package makes its order need a sync; ``created``: this statement made the order.
_ORDER_CONFLICT = ("ON CONFLICT (store_id, external_id) DO UPDATE SET requires_sync = true, "
                   "updated_at = excluded.updated_at RETURNING id, created_at = :now AS created")
_PACKAGE_COLUMNS = ("store_id, order_id, external_id, tracking_number, carrier, tracking_url, items, status, "
                    "attempts, last_cause, voided, store_contacted, created_at, updated_at")
_PACKAGE_VALUES = ":package_external_id, :tracking_number, :carrier, :tracking_url, :items, {status}, 0, {cause}, " \
                  "false, false, :now, :now"
_TYPES = dict(line_items=JSON(), items=JSON(), now=DateTime())

_UPSERT_ORDER = _typed(f"INSERT INTO orders ({_ORDER_COLUMNS}) VALUES (:store_id, {_ORDER_VALUES}) {_ORDER_CONFLICT}",
                       **_TYPES)
_INSERT_PACKAGE = _typed(
    f"INSERT INTO packages ({_PACKAGE_COLUMNS}) VALUES (:store_id, :order_id, "
    f"{_PACKAGE_VALUES.format(status=':status', cause=':last_cause')}) ON CONFLICT (store_id, external_id) DO NOTHING RETURNING id", **_TYPES)

# PostgreSQL's one statement. Each step takes its rows from the one before, so when there is
# no such store the later steps do nothing. The package and the receipt are inserted without
# ON CONFLICT: when either is recorded already their unique keys make the whole statement
# fail, the order's upsert with it, so it never leaves half its work. (Looking for them first
# would be a plan that the first labels of a new database fix for good: a scan per label.)
# ``auto_sync`` as Store.merged_settings() reads it: on unless the merchant turned it off.
_NEW_PACKAGE = _typed(f"""
WITH store AS (
    SELECT id, (settings ->> 'auto_sync') IS DISTINCT FROM 'false' AS auto_sync FROM stores
    WHERE platform = :platform AND domain = :domain AND status <> :uninstalled
), upserted_order AS (
    INSERT INTO orders ({_ORDER_COLUMNS}) SELECT store.id, {_ORDER_VALUES} FROM store {_ORDER_CONFLICT}
), package AS (
    INSERT INTO packages ({_PACKAGE_COLUMNS})
    SELECT store.id, upserted_order.id, {_PACKAGE_VALUES.format(
        status="CASE WHEN store.auto_sync THEN :auto_status ELSE :manual_status END",
        cause="CASE WHEN store.auto_sync THEN :auto_cause ELSE :manual_cause END")}
    FROM store CROSS JOIN upserted_order RETURNING id, store_id, status
), receipt AS (
    INSERT INTO webhook_receipts (source, delivery_id, store_id, topic, response, received_at)
    SELECT :source, :event_id, package.store_id, :topic,
           json_build_object('package_id', CAST(:package_external_id AS text), 'status', package.status), :now
    FROM package RETURNING id
)
SELECT store.id AS store_id, store.auto_sync, upserted_order.created AS new_order, package.id AS package_id,
       package.status, receipt.id AS receipt_id
FROM store CROSS JOIN upserted_order LEFT JOIN package ON true LEFT JOIN receipt ON true
""", **_TYPES)


def upsert_order(session, store_id: int, external_id: str) -> tuple[int, bool]:
    """(order id, True when this statement created it), marking the order as needing sync —
    what a new package makes it. Two labels of one new order at once: one creates, the
    other finds (the unique key decides), as before."""
    order_id, created = session.execute(_UPSERT_ORDER, dict(
        store_id=store_id, order_external_id=external_id, line_items=[], unfulfilled=UNFULFILLED, now=utcnow())).one()
    return order_id, bool(created)


def insert_package(session, values: dict) -> int | None:
    """The new package's id, or None when the store already has a package with this id
    (``values``: the columns, the package's own id as ``package_external_id``)."""
    return session.execute(_INSERT_PACKAGE, dict(now=utcnow(), **values)).scalar_one_or_none()


@dataclasses.dataclass(frozen=True)
class NewPackage:
    """What ``store_new_package`` committed."""

    store_id: int
    package_id: int
    status: str
    auto_sync: bool
    new_order: bool  # the label's order was not known before


def store_new_package(engine, source: str, label) -> NewPackage | None:
    """Commit a new package of a known store in one statement (PostgreSQL), or change nothing
    and return None: then the general path answers (and on SQLite it always does)."""
    if engine.dialect.name != "postgresql":
        return None
    try:
        domain = normalize_domain(label.platform, label.store)
    except ValueError:  # the general path answers it as bad input
        return None
    automatic, manual = packages.initial_state(True), packages.initial_state(False)
    # Straight through the driver: SQLAlchemy's execution layer cost as much CPU as the rest
    # of the statement's client side, for one statement on the hottest path.
    with db.driver_connection(engine, autocommit=True) as connection:
        try:
            row = connection.execute(_new_package_sql(engine.dialect), dict(
                platform=label.platform, domain=domain, uninstalled=UNINSTALLED, order_external_id=label.order_id,
                line_items="[]", unfulfilled=UNFULFILLED, package_external_id=label.package_id,
                tracking_number=label.tracking_number, carrier=label.carrier, tracking_url=label.tracking_url,
                items=json.dumps(label.items), auto_status=automatic["status"], auto_cause=automatic["last_cause"],
                manual_status=manual["status"], manual_cause=manual["last_cause"], source=source,
                event_id=label.event_id, topic=label.event, now=utcnow())).fetchone()
        except UniqueViolation:  # the package or the delivery is recorded already: nothing was written
            return None
    if row is None:  # no such store
        return None
    store_id, auto_sync, new_order, package_id, status, _receipt_id = row
    return NewPackage(store_id, package_id, status, auto_sync, new_order)


@functools.cache
def _new_package_sql(dialect) -> str:
    """_NEW_PACKAGE in the driver's own parameter style (JSON and timestamps cast in the SQL)."""
    return str(_NEW_PACKAGE.compile(dialect=dialect))
