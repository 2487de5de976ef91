"""The tables. Alembic revisions in migrations/ create them; keep both in step."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Package statuses (stable, DESIGN §2).
PENDING, SYNCING, RETRYING, SYNCED, REQUIRES_SYNC = "pending", "syncing", "retrying", "synced", "requires_sync"
PACKAGE_STATUSES = (PENDING, SYNCING, RETRYING, SYNCED, REQUIRES_SYNC)
# Store statuses (stable).
ACTIVE, REAUTH_REQUIRED, UNINSTALLED = "active", "reauth_required", "uninstalled"
# Order fulfillment statuses (stable, as the JSON API shows them).
UNFULFILLED, PARTIALLY_FULFILLED, FULFILLED = "unfulfilled", "partially_fulfilled", "fulfilled"

DEFAULT_STORE_SETTINGS = {"notify_customer": True, "auto_sync": True, "carrier_mapping": {}}


def utcnow() -> datetime:
    """Naive UTC: SQLite keeps no time zone, so every timestamp is stored as naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Store(Base):
    __tablename__ = "stores"
    __table_args__ = (UniqueConstraint("platform", "domain"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    domain: Mapped[str] = mapped_column(String(255))  # shop domain or normalised store URL
    name: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default=ACTIVE)
    # Fernet-encrypted JSON of connectors.base.Credentials: tokens, keys, webhook secret.
    credentials_encrypted: Mapped[str | None] = mapped_column(Text)
    token_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    refresh_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    scopes: Mapped[str | None] = mapped_column(String(1000))
    options: Mapped[dict] = mapped_column(JSON, default=dict)  # connector details (tracking backend…)
    settings: Mapped[dict] = mapped_column(JSON, default=lambda: dict(DEFAULT_STORE_SETTINGS))
    installed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    def merged_settings(self) -> dict:
        return {**DEFAULT_STORE_SETTINGS, **(self.settings or {})}


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("store_id", "external_id"),
        Index("ix_orders_store_pending", "store_id", "requires_sync", "placed_at"),
        # The orders list's keyset pagination: (placed_at, id) after the cursor, within a store.
        Index("ix_orders_store_placed", "store_id", "placed_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(255))
    line_items: Mapped[list] = mapped_column(JSON, default=list)  # [{id, title, quantity, sku}]
    fulfillment_status: Mapped[str] = mapped_column(String(24), default=UNFULFILLED)
    # Denormalised so the orders page can filter and count tens of thousands of orders by index.
    requires_sync: Mapped[bool] = mapped_column(Boolean, default=False)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_name: Mapped[str | None] = mapped_column(String(255))
    customer_email: Mapped[str | None] = mapped_column(String(255))
    placed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    store_updated_at: Mapped[datetime | None] = mapped_column(DateTime)  # ignore older webhook copies
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    store: Mapped[Store] = relationship()
    packages: Mapped[list["Package"]] = relationship(back_populates="order", order_by="Package.id")


class Package(Base):
    __tablename__ = "packages"
    __table_args__ = (UniqueConstraint("store_id", "external_id"), Index("ix_packages_due", "status", "next_attempt_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(128))
    tracking_number: Mapped[str] = mapped_column(String(128), index=True)
    carrier: Mapped[str] = mapped_column(String(128), default="")
    tracking_url: Mapped[str | None] = mapped_column(String(2000))
    items: Mapped[list] = mapped_column(JSON)  # [{line_item_id, quantity}]
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # attempts in the current sync run
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)  # a worker owns the package until then
    last_cause: Mapped[str | None] = mapped_column(String(32))
    last_message: Mapped[str | None] = mapped_column(String(1000))
    last_http_status: Mapped[int | None] = mapped_column(Integer)
    fulfillment_id: Mapped[str | None] = mapped_column(String(255))
    # A tracking correction is pending: the number the store's fulfillment still carries.
    corrected_from: Mapped[str | None] = mapped_column(String(128))
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set before the first store call that may write: from then on a write may have reached
    # the store (a lost response, a killed worker), so every attempt looks before it writes.
    store_contacted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    synced_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    order: Mapped[Order] = relationship(back_populates="packages")
    store: Mapped[Store] = relationship()
    attempt_log: Mapped[list["SyncAttempt"]] = relationship(order_by="SyncAttempt.id", cascade="all, delete-orphan")


class SyncAttempt(Base):
    """One call to the store for one package: the audit log the merchant can open."""

    __tablename__ = "sync_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(20))  # synced | retry | failed | tracking_updated | void_failed
    cause: Mapped[str | None] = mapped_column(String(32))
    http_status: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(String(1000))
    wait_seconds: Mapped[float | None]


class WebhookReceipt(Base):
    """Deliveries already accepted; repeats are normal and answered from here."""

    __tablename__ = "webhook_receipts"
    __table_args__ = (UniqueConstraint("source", "delivery_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40))  # labels | shopify | woocommerce:<store id>
    delivery_id: Mapped[str] = mapped_column(String(255))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str | None] = mapped_column(String(80))
    response: Mapped[dict | None] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SyncBatch(Base):
    """A merchant's "Synchronize my shipments": which packages, so progress can be counted."""

    __tablename__ = "sync_batches"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: uuid.uuid4().hex)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SyncBatchItem(Base):
    __tablename__ = "sync_batch_items"

    batch_id: Mapped[str] = mapped_column(ForeignKey("sync_batches.id", ondelete="CASCADE"), primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id", ondelete="CASCADE"), primary_key=True)


class RateBucket(Base):
    """A store's API rate budget, shared by the worker processes when the queue is not Redis
    (sync/shared_buckets.py)."""

    __tablename__ = "rate_buckets"

    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True)
    available: Mapped[float] = mapped_column(Float)
    maximum: Mapped[float] = mapped_column(Float)
    restore_rate: Mapped[float] = mapped_column(Float)
    at: Mapped[float] = mapped_column(Float)  # epoch seconds of ``available``
