"""Database engine and sessions, created by the app factory and shared with the worker."""
from __future__ import annotations

import contextlib
import time
from pathlib import Path

from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig

from flask import current_app, g, request
from sqlalchemy import create_engine, event, exc
from sqlalchemy.orm import Session, sessionmaker

from sqlite_engine import make_sqlite_engine


# Hosting platforms hand out postgres:// or postgresql:// URLs, which SQLAlchemy maps to
# psycopg2; the driver installed here is psycopg 3.
_POSTGRES_SCHEMES = ("postgres://", "postgresql://")


def normalize_url(url: str) -> str:
    """The SQLAlchemy URL for ``DATABASE_URL``: PostgreSQL URLs of any common spelling use psycopg 3."""
    for scheme in _POSTGRES_SCHEMES:
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme):]
    return url


def make_engine(url: str):
    url = normalize_url(url)
    if url.startswith("sqlite"):
        # The web and the worker write concurrently: WAL, a busy timeout, queued writers.
        return make_sqlite_engine(url, READ_ONLY)
    # At least as many kept connections as a process has threads (the Procfiles' web runs
    # WEB_THREADS, 2 by default): past pool_size a returned connection is closed, and every
    # label that opened a new one paid PostgreSQL's connection start-up.
    engine = create_engine(url, pool_size=10, max_overflow=10)
    _ping_when_idle(engine)
    return engine


# A pooled connection is checked before use only after it sat idle this long. A busy pool's
# connections come back every few milliseconds, and a ping on every checkout (pool_pre_ping)
# was one more round trip for every label; a connection that was idle, as after a database
# restart, is still tested, and a dead one empties the pool as pool_pre_ping would.
PING_AFTER_IDLE_SECONDS = 5.0


def _ping_when_idle(engine) -> None:
    @event.listens_for(engine, "checkin")
    def _idle_from_now(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy):
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.InvalidatePoolError(f"idle connection is gone: {error}") from error


@contextlib.contextmanager
def driver_connection(engine, autocommit: bool = False):
    """A pooled connection as the driver's own object (psycopg's), for a statement on a hot
    path. Rolled back unless committed; with ``autocommit`` each statement commits itself
    (no BEGIN and COMMIT round trips). A lost connection empties the pool, as SQLAlchemy
    does when one of its own statements meets one."""
    pooled = engine.raw_connection()
    connection = pooled.driver_connection
    try:
        if autocommit:
            connection.autocommit = True
        yield connection
    except engine.dialect.loaded_dbapi.Error as error:
        if engine.dialect.is_disconnect(error, pooled.dbapi_connection, None):
            pooled.invalidate(error)
            engine.dispose()
        raise
    finally:
        try:
            if autocommit and not connection.closed:
                connection.autocommit = False  # as SQLAlchemy's sessions expect it
        finally:
            pooled.close()  # back to the pool, which rolls back what was not committed


READ_ONLY = "shipsync_read_only"
# Requests that only read: their session never takes SQLite's write lock.
READ_ONLY_BLUEPRINTS = ("api", "health")


def init_app(app, engine):
    app.extensions["db_sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.extensions["db_read_sessionmaker"] = sessionmaker(engine.execution_options(**{READ_ONLY: True}),
                                                          expire_on_commit=False)
    app.extensions["db_engine"] = engine
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """The request's session, opened on first use and closed at teardown (read-only for the
    GETs of READ_ONLY_BLUEPRINTS)."""
    if "db_session" not in g:
        reading = request.method in ("GET", "HEAD") and request.blueprint in READ_ONLY_BLUEPRINTS
        g.db_session = current_app.extensions["db_read_sessionmaker" if reading else "db_sessionmaker"]()
    return g.db_session


def end_request_transaction() -> None:
    """Close the request's session before calling code that opens its own transaction.

    On SQLite every transaction takes the single write lock (BEGIN IMMEDIATE, see
    make_engine), so a request that still held one would wait on itself.
    """
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def _close_session(_exc):
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


@contextlib.contextmanager
def session_scope(app):
    """A session for work outside a request (tasks, CLI): commit on success, roll back on error."""
    session = app.extensions["db_sessionmaker"]()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> AlembicConfig:
    database_url = normalize_url(database_url)
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["database_url"] = database_url
    return config


def migrate(database_url: str, revision: str = "head") -> None:
    """Bring the database schema to ``revision`` with the Alembic revisions in migrations/."""
    alembic_command.upgrade(alembic_config(database_url), revision)


# A row id in a URL: ``<int(max=…):order_id>``. PostgreSQL's integer columns answer a bigger
# number with an error rather than "no such row", so the route answers 404 before asking.
URL_ID = "int(max=2147483647)"
