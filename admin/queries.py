"""Reads for the orders page and its API, always scoped to one store."""
from __future__ import annotations

from datetime import datetime

from flask import abort
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from admin.filters import TABS, OrderFilter, decode_cursor, encode_cursor
from models import REQUIRES_SYNC, SYNCED, Order, Package, SyncBatch, SyncBatchItem
from sync.causes import STORE_UNINSTALLED, TOKEN_EXPIRED, explain
from sync.messages import translate, written_by_shipsync

# Causes that only the store's re-authorization (or re-install) lifts.
WAITING_FOR_ACCESS = (TOKEN_EXPIRED, STORE_UNINSTALLED)

def _tab_filter(tab: str):
    if tab == "pending":
        return Order.requires_sync.is_(True)
    if tab == "prepared":
        # Prepared: every package synced, and at least one package to speak of.
        return Order.requires_sync.is_(False) & Order.packages.any()
    return None


def _search_filter(query: str):
    like = f"%{query}%"
    return or_(Order.name.ilike(like), Order.external_id == query, Order.customer_name.ilike(like),
               Order.packages.any(Package.tracking_number == query))


def _package_filter(f: OrderFilter):
    """Orders with at least one package matching status, cause and carrier together."""
    conditions = []
    if f.status == "voided":
        conditions.append(Package.voided.is_(True))
    elif f.status:
        conditions += [Package.status == f.status, Package.voided.is_(False)]
    if f.cause:  # a cause still standing: a synced package keeps its last cause only as history
        conditions += [Package.last_cause == f.cause, Package.status != SYNCED, Package.voided.is_(False)]
    if f.carrier:
        conditions.append(func.lower(Package.carrier) == f.carrier.lower())
    return Order.packages.any(and_(*conditions)) if conditions else None


def order_conditions(store_id: int, f: OrderFilter) -> list:
    conditions = [Order.store_id == store_id]
    for condition in (_tab_filter(f.tab), _search_filter(f.q) if f.q else None, _package_filter(f)):
        if condition is not None:
            conditions.append(condition)
    if f.placed_from:
        conditions.append(Order.placed_at >= f.placed_from)
    if f.placed_before:
        conditions.append(Order.placed_at < f.placed_before)
    return conditions


def _ordering(f: OrderFilter):
    if f.newest_first:
        return Order.placed_at.desc(), Order.id.desc()
    return Order.placed_at.asc(), Order.id.asc()


def _after(f: OrderFilter, placed_at, order_id: int):
    """Rows after the cursor's (placed_at, id) in the list's order: the keyset condition, which an
    index on (store_id, placed_at, id) answers as fast on page 4,000 as on page 1."""
    if f.newest_first:
        return or_(Order.placed_at < placed_at, and_(Order.placed_at == placed_at, Order.id < order_id))
    return or_(Order.placed_at > placed_at, and_(Order.placed_at == placed_at, Order.id > order_id))


def list_orders(session, store_id: int, f: OrderFilter, per_page: int, page: int = 1, cursor: str | None = None):
    """(total, orders, next_cursor) for one page: after ``cursor`` when given, else page ``page``.

    Raises ValueError for a cursor that does not belong to this sort order.
    """
    conditions = order_conditions(store_id, f)
    total = session.scalar(select(func.count()).select_from(Order).where(*conditions))
    query = select(Order).where(*conditions).options(selectinload(Order.packages)).order_by(*_ordering(f))
    if cursor:
        query = query.where(_after(f, *decode_cursor(f, cursor)))
    else:
        query = query.offset((page - 1) * per_page)
    orders = session.scalars(query.limit(per_page + 1)).all()
    more, orders = len(orders) > per_page, orders[:per_page]
    next_cursor = encode_cursor(f, orders[-1].placed_at, orders[-1].id) if more else None
    return total, orders, next_cursor


def iter_packages(sessionmaker, store_id: int, f: OrderFilter, chunk: int = 500):
    """Every package of the matching orders, in the list's order, read a chunk at a time, each in
    its own short transaction: memory stays flat and no lock is held while the client reads."""
    position = None
    while True:
        with sessionmaker() as session:
            query = (select(Order).where(*order_conditions(store_id, f)).options(selectinload(Order.packages))
                     .order_by(*_ordering(f)).limit(chunk))
            if position:
                query = query.where(_after(f, *position))
            orders = session.scalars(query).all()
            for order in orders:
                for package in order.packages:
                    yield order, package
        if len(orders) < chunk:
            return
        position = orders[-1].placed_at, orders[-1].id


def tab_counts(session, store_id: int) -> dict:
    return {tab: session.scalar(select(func.count()).select_from(Order).where(
        Order.store_id == store_id, *([_tab_filter(tab)] if _tab_filter(tab) is not None else [])))
        for tab in TABS}


def summary(session, store_id: int, now: datetime) -> dict:
    """The page's summary strip: synced since midnight UTC, orders needing the merchant, and
    packages held until the store is re-authorized."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    synced_today = session.scalar(select(func.count()).select_from(Package).where(
        Package.store_id == store_id, Package.status == SYNCED, Package.voided.is_(False),
        Package.synced_at >= midnight))
    needs_attention = session.scalar(select(func.count()).select_from(Order).where(
        Order.store_id == store_id, Order.packages.any(and_(
            Package.status == REQUIRES_SYNC, Package.voided.is_(False),
            Package.last_cause.not_in(WAITING_FOR_ACCESS)))))
    waiting_reauth = session.scalar(select(func.count()).select_from(Package).where(
        Package.store_id == store_id, Package.status == REQUIRES_SYNC, Package.voided.is_(False),
        Package.last_cause.in_(WAITING_FOR_ACCESS)))
    return {"synced_today": synced_today, "needs_attention": needs_attention, "waiting_reauth": waiting_reauth}


def get_order(session, store_id: int, order_id: int) -> Order:
    """The store's order, or 404: another store's order id is indistinguishable from a missing one."""
    order = session.scalar(select(Order).where(Order.id == order_id, Order.store_id == store_id)
                           .options(selectinload(Order.packages).selectinload(Package.attempt_log)))
    if order is None:
        abort(404, description="order not found")
    return order


def get_batch(session, store_id: int, batch_id: str) -> SyncBatch:
    batch = session.scalar(select(SyncBatch).where(SyncBatch.id == batch_id, SyncBatch.store_id == store_id))
    if batch is None:
        abort(404, description="sync batch not found")
    return batch


def batch_progress(session, batch: SyncBatch, admin_url=lambda external_id: None) -> dict:
    rows = session.execute(
        select(Package.status, func.count()).join(SyncBatchItem, SyncBatchItem.package_id == Package.id)
        .where(SyncBatchItem.batch_id == batch.id).group_by(Package.status)
    ).all()
    by_status = dict(rows)
    total = sum(by_status.values())
    synced, failed = by_status.get(SYNCED, 0), by_status.get(REQUIRES_SYNC, 0)
    failures = session.scalars(
        select(Package).join(SyncBatchItem, SyncBatchItem.package_id == Package.id)
        .where(SyncBatchItem.batch_id == batch.id, Package.status == REQUIRES_SYNC)
        .options(selectinload(Package.order)).order_by(Package.id).limit(200)
    ).all() if failed else []
    cause_counts = dict(session.execute(
        select(Package.last_cause, func.count()).join(SyncBatchItem, SyncBatchItem.package_id == Package.id)
        .where(SyncBatchItem.batch_id == batch.id, Package.status == REQUIRES_SYNC).group_by(Package.last_cause)
    ).all()) if failed else {}
    listed = [{"order_id": p.order_id, "order_name": order_name(p.order), "package_id": p.external_id,
               "admin_url": admin_url(p.order.external_id), "cause": p.last_cause,
               "error": explain(p.last_cause, p.last_message)} for p in failures]
    return {"batch_id": batch.id, "total": total, "synced": synced, "failed": failed,
            "pending": total - synced - failed, "done": total == synced + failed,
            "failures": listed[:50], "by_cause": _group_by_cause(listed, cause_counts)}


def _group_by_cause(failures: list[dict], counts: dict) -> list[dict]:
    """One entry per cause, most frequent first: its message and fix once, then its orders
    (the first ten), instead of one paragraph per order."""
    groups = []
    for cause, count in sorted(counts.items(), key=lambda item: (-item[1], item[0] or "")):
        explained = explain(cause) or explain("invalid_data")
        orders = [{k: f[k] for k in ("order_id", "order_name", "package_id", "admin_url")}
                  for f in failures if f["cause"] == cause][:10]
        groups.append({"cause": cause, "count": count, "message": explained["message"],
                       "fix": explained["fix"], "orders": orders})
    return groups


def package_json(package: Package, with_history: bool = False) -> dict:
    data = {
        "id": package.id,
        "package_id": package.external_id,
        "tracking_number": package.tracking_number,
        "carrier": package.carrier,
        "tracking_url": package.tracking_url,
        "items": package.items,
        "status": "voided" if package.voided else package.status,
        "attempts": package.attempts,
        "fulfillment_id": package.fulfillment_id,
        "next_attempt_at": _iso(package.next_attempt_at),
        "synced_at": _iso(package.synced_at),
        "error": None if package.status == SYNCED else explain(package.last_cause, translate(package.last_message)),
    }
    if data["error"]:
        data["error"]["http_status"] = package.last_http_status
        data["error"]["detail_from"] = "shipsync" if written_by_shipsync(package.last_message) else "store"
    if with_history:
        data["history"] = [{"at": _iso(a.started_at), "outcome": a.outcome, "cause": a.cause,
                            "http_status": a.http_status, "message": translate(a.message),
                            "wait_seconds": a.wait_seconds}
                           for a in package.attempt_log]
    return data


def order_name(order: Order) -> str:
    """The store's name for the order; "#<id>" until the store told us (never null)."""
    return order.name or f"#{order.external_id}"


def order_json(order: Order, with_history: bool = False, admin_url=lambda external_id: None) -> dict:
    data = {
        "id": order.id,
        "order_id": order.external_id,
        "name": order_name(order),
        "customer": order.customer_name,
        "admin_url": admin_url(order.external_id),
        "placed_at": _iso(order.placed_at),
        "fulfillment_status": order.fulfillment_status,
        "requires_sync": order.requires_sync,
        "cancelled": order.cancelled,
        "line_items": order.line_items,
        "packages": [package_json(p, with_history) for p in order.packages],
    }
    if with_history:
        data["timeline"] = timeline(order)
    return data


# SyncAttempt outcome → timeline kind (DESIGN §4).
TIMELINE_KINDS = {"synced": "synced", "failed": "failed", "retry": "attempt", "refreshed": "attempt",
                  "void_failed": "attempt", "tracking_updated": "tracking_updated"}


def timeline(order: Order) -> list[dict]:
    """What happened to the order's shipments, oldest first: each label, each call to the store
    (with its cause), corrections, voids."""
    events = []
    for package in order.packages:
        base = {"package_id": package.external_id}
        events.append({"at": package.created_at, "kind": "label_created", **base,
                       "tracking_number": package.tracking_number, "carrier": package.carrier})
        for attempt in package.attempt_log:
            events.append({"at": attempt.started_at, "kind": TIMELINE_KINDS.get(attempt.outcome, "attempt"), **base,
                           "outcome": attempt.outcome, "cause": attempt.cause,
                           "message": translate(attempt.message)})
        if package.voided:  # the void itself is not an attempt: its time is the row's last change
            events.append({"at": package.updated_at, "kind": "voided", **base})
    events.sort(key=lambda event: event["at"])
    return [{**event, "at": _iso(event["at"])} for event in events]


def _iso(value):
    return value.isoformat() + "Z" if value else None
