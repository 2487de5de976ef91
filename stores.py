"""Stores: finding one by what the outside world calls it, and keeping its credentials
(encrypted at rest), its status when it refuses us, and what its connector learned."""
from __future__ import annotations

import logging

from sqlalchemy import delete, select, update

from connectors import platform as platform_named
from connectors.base import Credentials, StoreAccess
from models import ACTIVE, REAUTH_REQUIRED, Store

log = logging.getLogger(__name__)


def normalize_domain(platform: str, raw: str) -> str:
    """The store's address as its platform's descriptor writes it (raises UnknownPlatform)."""
    return platform_named(platform).normalize_store(raw)


def find_store(session, platform: str, raw_domain: str) -> Store | None:
    return session.execute(
        select(Store).where(Store.platform == platform, Store.domain == normalize_domain(platform, raw_domain))
    ).scalar_one_or_none()


def forget_store(session, platform: str, raw_domain: str) -> bool:
    """Delete a store and everything of it (orders, packages, attempts, receipts cascade).
    True when there was one."""
    result = session.execute(delete(Store).where(Store.platform == platform,
                                                 Store.domain == normalize_domain(platform, raw_domain)))
    return result.rowcount > 0


def store_access(store: Store, cipher) -> StoreAccess:
    raw = cipher.decrypt_json(store.credentials_encrypted) if store.credentials_encrypted else {}
    credentials = Credentials(
        access_token=raw.get("access_token", ""),
        refresh_token=raw.get("refresh_token"),
        expires_at=store.token_expires_at,
        refresh_expires_at=store.refresh_expires_at,
        consumer_secret=raw.get("consumer_secret"),
        webhook_secret=raw.get("webhook_secret"),
    )
    return StoreAccess(platform=store.platform, domain=store.domain, credentials=credentials,
                       options=dict(store.options or {}))


def save_credentials(store: Store, credentials: Credentials, cipher) -> None:
    """Both tokens rotate together: write the pair in one row update, never one without the other."""
    secrets = {"access_token": credentials.access_token, "refresh_token": credentials.refresh_token,
               "consumer_secret": credentials.consumer_secret, "webhook_secret": credentials.webhook_secret}
    store.credentials_encrypted = cipher.encrypt_json({k: v for k, v in secrets.items() if v is not None})
    store.token_expires_at = credentials.expires_at
    store.refresh_expires_at = credentials.refresh_expires_at


def mark_reauth_required(session, store_id: int) -> None:
    """An active store stops calling the store until the merchant re-authorizes.

    An expected state, not a fault of ours: one WARNING line when it starts, no traceback."""
    changed = session.execute(update(Store).where(Store.id == store_id, Store.status == ACTIVE)
                              .values(status=REAUTH_REQUIRED)).rowcount
    if changed:
        log.warning("store %s needs re-authorization: it refused ShipSync's access; its packages wait "
                    "until the merchant re-authorizes", store_id)


def remember_options(sessionmaker, store_id: int, access: StoreAccess, learned: dict | None) -> None:
    """Keep what a connector found out about the store, when it is news."""
    if not learned or all(access.options.get(k) == v for k, v in learned.items()):
        return
    with sessionmaker() as session, session.begin():
        store = session.get(Store, store_id)
        if store is not None:
            store.options = {**(store.options or {}), **learned}
