"""Refreshing a store's credentials once, under a lock, however many workers ask (their storage is stores.py's)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from connectors import connector_for
from connectors.base import TOKEN_EXPIRED, ConnectorError, Credentials, StoreAccess
from models import ACTIVE, Store, utcnow
from stores import mark_reauth_required, save_credentials, store_access

# Refresh this long before the store would reject the token, so a sync never starts
# with a token that dies half-way.
REFRESH_AHEAD = timedelta(minutes=5)


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
