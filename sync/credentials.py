"""Store credentials: decrypt for a connector, store rotated pairs, refresh once under a lock."""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select, update

from connectors import connector_for
from connectors.base import TOKEN_EXPIRED, ConnectorError, Credentials, StoreAccess
from models import ACTIVE, REAUTH_REQUIRED, Store, utcnow

log = logging.getLogger(__name__)

# Refresh this long before the store would reject the token, so a sync never starts
# with a token that dies half-way.
REFRESH_AHEAD = timedelta(minutes=5)


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


def needs_refresh(credentials: Credentials) -> bool:
    return (credentials.refresh_token is not None and credentials.expires_at is not None
            and credentials.expires_at - REFRESH_AHEAD <= utcnow())


def refresh(sessionmaker, cipher, settings, store_id: int, stale_access_token: str, http=None) -> StoreAccess:
    """Refresh a store's token once, however many workers ask at the same moment.

    The store row is locked (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE takes
    the database write lock) while the store is asked, so a second worker waits, then
    finds a token different from the stale one it saw and uses that instead.
    Raises ConnectorError(TOKEN_EXPIRED) when the store refuses: the store is then
    marked ``reauth_required``.
    """
    try:
        with sessionmaker() as session, session.begin():
            store = session.execute(select(Store).where(Store.id == store_id).with_for_update()).scalar_one()
            access = store_access(store, cipher)
            if store.status != ACTIVE:
                raise ConnectorError(TOKEN_EXPIRED, "The store needs to re-authorize the app.")
            if access.credentials.access_token != stale_access_token:
                return access  # another worker refreshed while we waited for the lock
            credentials = connector_for(access, settings, http=http).refresh_credentials()
            save_credentials(store, credentials, cipher)
            return store_access(store, cipher)
    except ConnectorError as error:
        if error.cause == TOKEN_EXPIRED:
            with sessionmaker() as session, session.begin():
                mark_reauth_required(session, store_id)
        raise


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
