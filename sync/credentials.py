"""Refreshing a store's credentials once, under a lock, however many workers ask (their storage is stores.py's)."""
from __future__ import annotations

import contextlib
from datetime import timedelta

from sqlalchemy import text

from connectors import connector_for
from connectors.base import TOKEN_EXPIRED, ConnectorError, Credentials, StoreAccess
from models import ACTIVE, Store, utcnow
import sqlite_engine
from stores import mark_reauth_required, save_credentials, store_access

# Refresh this long before the store would reject the token, so a sync never starts
# with a token that dies half-way.
REFRESH_AHEAD = timedelta(minutes=5)
REFRESH_LOCKS = 0x5EF5  # PostgreSQL advisory lock space of token refreshes (the key: the store's id)


class StoreGone(LookupError):
    """The store's row was erased (uninstalled and redacted, or forgotten) while its work waited:
    there is nothing left to refresh or to write for it, and its packages went with it. Stop."""


def needs_refresh(credentials: Credentials) -> bool:
    return (credentials.refresh_token is not None and credentials.expires_at is not None
            and credentials.expires_at - REFRESH_AHEAD <= utcnow())


def refresh(sessionmaker, cipher, settings, store_id: int, stale_access_token: str, http=None) -> StoreAccess:
    """Refresh a store's token once, however many workers ask at the same moment.

    Refreshers of one store take turns (``_one_refresher``), so a second worker waits, then
    finds a token different from the stale one it saw and uses that instead. The store is
    asked outside any transaction: on SQLite one would hold the database's single write
    lock, which every label's intake needs, for as long as the store takes to answer.
    Raises ConnectorError(TOKEN_EXPIRED) when the store refuses: the store is then
    marked ``reauth_required``. Raises StoreGone when the store's row is erased before or
    while the store is asked.
    """
    try:
        with _one_refresher(sessionmaker.kw["bind"], store_id):
            with sessionmaker() as session:
                store = existing_store(session, store_id)
                access = store_access(store, cipher)
                if store.status != ACTIVE:
                    raise ConnectorError(TOKEN_EXPIRED, "The store needs to re-authorize the app.")
            if access.credentials.access_token != stale_access_token:
                return access  # another worker refreshed while we waited for our turn
            credentials = connector_for(access, settings, http=http).refresh_credentials()
            with sessionmaker() as session, session.begin():
                store = existing_store(session, store_id)  # the new tokens die with the store
                save_credentials(store, credentials, cipher)
                return store_access(store, cipher)
    except ConnectorError as error:
        if error.cause == TOKEN_EXPIRED:
            with sessionmaker() as session, session.begin():
                mark_reauth_required(session, store_id)
        raise


def existing_store(session, store_id: int) -> Store:
    """The store's row, or StoreGone: an uninstall's erasure racing a worker is expected, and
    whoever catches it says so in one line (sync.tasks.store_work, the engine)."""
    store = session.get(Store, store_id)
    if store is None:
        raise StoreGone(store_id)
    return store


@contextlib.contextmanager
def _one_refresher(engine, store_id: int):
    """One refresh of a store at a time, across threads and processes: SQLite, a lock file
    beside the database; PostgreSQL, an advisory lock on this store's refresh only, held by a
    transaction of its own (it locks no row and blocks no other writer)."""
    if engine.dialect.name == "sqlite":
        with sqlite_engine.exclusive(engine, "refresh"):
            yield
        return
    with engine.begin() as connection:
        connection.execute(text("SELECT pg_advisory_xact_lock(:space, :store_id)"),
                           {"space": REFRESH_LOCKS, "store_id": store_id})
        yield
