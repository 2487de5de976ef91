"""Reads for the orders page and its API, always scoped to one store."""
from __future__ import annotations

from flask import abort
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from models import REQUIRES_SYNC, SYNCED, Order, Package, SyncBatch, SyncBatchItem
from sync.causes import explain

TABS = ("pending", "prepared", "all")


def _tab_filter(tab: str):
    if tab == "pending":
        return Order.requires_sync.is_(True)
    if tab == "prepared":
        # Prepared: every package synced, and at least one package to speak of.
        return Order.requires_sync.is_(False) & Order.packages.any()
    return None


def _search_filter(query: str):
    like = f"%{query.strip()}%"
    return or_(Order.name.ilike(like), Order.external_id == query.strip(),
               Order.packages.any(Package.tracking_number == query.strip()))


def list_orders(session, store_id: int, tab: str, page: int, per_page: int, search: str | None):
    conditions = [Order.store_id == store_id]
    if _tab_filter(tab) is not None:
        conditions.append(_tab_filter(tab))
    if search:
        conditions.append(_search_filter(search))
    total = session.scalar(select(func.count()).select_from(Order).where(*conditions))
    orders = session.scalars(
        select(Order).where(*conditions).options(selectinload(Order.packages))
        .order_by(Order.placed_at.desc(), Order.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return total, orders


def tab_counts(session, store_id: int) -> dict:
    return {tab: session.scalar(select(func.count()).select_from(Order).where(
        Order.store_id == store_id, *([_tab_filter(tab)] if _tab_filter(tab) is not None else [])))
        for tab in TABS}


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


def batch_progress(session, batch: SyncBatch) -> dict:
    rows = session.execute(
        select(Package.status, func.count()).join(SyncBatchItem, SyncBatchItem.package_id == Package.id)
        .where(SyncBatchItem.batch_id == batch.id).group_by(Package.status)
    ).all()
    by_status = dict(rows)
    total = sum(by_status.values())
    synced, failed = by_status.get(SYNCED, 0), by_status.get(REQUIRES_SYNC, 0)
    failures = session.scalars(
        select(Package).join(SyncBatchItem, SyncBatchItem.package_id == Package.id)
        .where(SyncBatchItem.batch_id == batch.id, Package.status == REQUIRES_SYNC).limit(50)
    ).all() if failed else []
    return {"batch_id": batch.id, "total": total, "synced": synced, "failed": failed,
            "pending": total - synced - failed, "done": total == synced + failed,
            "failures": [{"order_id": p.order_id, "order_name": p.order.name, "package_id": p.external_id,
                          "error": explain(p.last_cause, p.last_message)} for p in failures]}


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
        "error": None if package.status == SYNCED else explain(package.last_cause, package.last_message),
    }
    if data["error"]:
        data["error"]["http_status"] = package.last_http_status
    if with_history:
        data["history"] = [{"at": _iso(a.started_at), "outcome": a.outcome, "cause": a.cause,
                            "http_status": a.http_status, "message": a.message, "wait_seconds": a.wait_seconds}
                           for a in package.attempt_log]
    return data


def order_json(order: Order, with_history: bool = False) -> dict:
    return {
        "id": order.id,
        "order_id": order.external_id,
        "name": order.name or f"#{order.external_id}",
        "placed_at": _iso(order.placed_at),
        "fulfillment_status": order.fulfillment_status,
        "requires_sync": order.requires_sync,
        "cancelled": order.cancelled,
        "line_items": order.line_items,
        "packages": [package_json(p, with_history) for p in order.packages],
    }


def _iso(value):
    return value.isoformat() + "Z" if value else None
