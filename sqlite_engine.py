"""The SQLite engine (the embedded default): WAL, a busy timeout, and writers that queue.

SQLite has one write lock per database file. A writer that finds it taken waits in
SQLite's busy handler, which sleeps in growing steps (up to 100 ms each) however soon the
lock frees: under a burst of labels while workers sync, a few unlucky requests sleep for
seconds. So every write transaction first takes an advisory lock on a file beside the
database (``flock``: across threads and processes alike), checked every millisecond;
SQLite's own lock then is nearly always free. Read-only sessions take neither.
"""
from __future__ import annotations

import fcntl
import os
import time

from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url

WAIT_SECONDS = 30.0  # as long as SQLite's busy timeout; then SQLite's own waiting takes over
POLL_SECONDS = 0.001


def make_sqlite_engine(url: str, read_only_option: str):
    engine = create_engine(url, connect_args={"timeout": WAIT_SECONDS, "check_same_thread": False})
    database = make_url(url).database
    lock_path = f"{database}.writers" if database and database != ":memory:" else None

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, see below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(WAIT_SECONDS * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        if lock_path:
            record.info["writers_fd"] = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)

    @event.listens_for(engine, "close")
    def _close_lock_file(_dbapi_connection, record):
        fd = record.info.pop("writers_fd", None)
        if fd is not None:
            os.close(fd)

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn):
        # pysqlite's implicit transactions defer locking, which lets two workers read
        # the same row and both decide to write; BEGIN IMMEDIATE serialises writers.
        # A read-only session (the JSON API's GETs) takes no write lock: in WAL mode it
        # reads a snapshot while labels and workers write.
        if conn.get_execution_options().get(read_only_option):
            conn.exec_driver_sql("BEGIN")
            return
        _take(conn.connection._connection_record.info.get("writers_fd"))
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _release(conn):
        fd = conn.connection._connection_record.info.get("writers_fd")
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)

    return engine


def _take(fd: int | None) -> None:
    if fd is None:
        return
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                return  # SQLite's busy timeout decides from here
            time.sleep(POLL_SECONDS)
