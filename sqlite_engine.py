"""The SQLite engine (the embedded default): WAL, a busy timeout, and writers that queue.

SQLite has one write lock per database file. A writer that finds it taken waits in
SQLite's busy handler, which sleeps in growing steps (up to 100 ms each) however soon the
lock frees: under a burst of labels while workers sync, a few unlucky requests sleep for
seconds. So every write transaction first takes an advisory lock on a file beside the
database (``flock``: across processes; threads of one process queue on a lock of their
own first, so that only one of them polls), checked every millisecond; SQLite's own lock
then is nearly always free. Read-only sessions take neither.

A label's request waits for whoever writes, and a worker syncing a burst writes many
times a second; so the worker process's writers (``give_way_to_requests``) do not start
while a request's writer is waiting, for up to ``GIVE_WAY_SECONDS`` each. Requests say
they are waiting with a shared ``flock`` on a second file; a worker looks with an
exclusive one that it drops at once.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import threading
import time

from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url

WAIT_SECONDS = 30.0  # as long as SQLite's busy timeout; then SQLite's own waiting takes over
POLL_SECONDS = 0.001
# The longest a worker's write waits for requests' writes before it queues like them: a
# flood of labels slows the sync, never stops it.
GIVE_WAY_SECONDS = 1.0

_gives_way = False


def give_way_to_requests() -> None:
    """This process's writes wait while a request's write waits, and hold the lock briefly
    (the worker process calls it). Its threads hand the GIL over ten times sooner: a thread
    holding the lock gets it back after each statement, and waiting 5 ms (Python's default)
    for another thread's Python at each one kept requests waiting a tenth of a second."""
    global _gives_way
    _gives_way = True
    sys.setswitchinterval(0.0005)


def make_sqlite_engine(url: str, read_only_option: str):
    engine = create_engine(url, connect_args={"timeout": WAIT_SECONDS, "check_same_thread": False})
    database = make_url(url).database
    on_disk = bool(database) and database != ":memory:"
    process_writers = threading.Lock()

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, see below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(WAIT_SECONDS * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        if on_disk:
            record.info["writers_fd"] = os.open(f"{database}.writers", os.O_RDWR | os.O_CREAT, 0o600)
            record.info["waiting_fd"] = os.open(f"{database}.waiting", os.O_RDWR | os.O_CREAT, 0o600)

    @event.listens_for(engine, "close")
    def _close_lock_files(_dbapi_connection, record):
        _let_go(record.info)
        for name in ("writers_fd", "waiting_fd"):
            fd = record.info.pop(name, None)
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
        info = conn.connection._connection_record.info
        _take(info, process_writers)
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _let_go(info)
            raise

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _release(conn):
        _let_go(conn.connection._connection_record.info)

    @event.listens_for(engine, "reset")
    def _reset(_dbapi_connection, record, _state):
        _let_go(record.info)  # a connection back in the pool holds nothing, however its transaction ended

    return engine


def _take(info: dict, process_writers: threading.Lock) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    waiting_fd, writers_fd = info.get("waiting_fd"), info.get("writers_fd")
    polite = _gives_way and waiting_fd is not None
    announced = not _gives_way and waiting_fd is not None
    if announced:
        fcntl.flock(waiting_fd, fcntl.LOCK_SH)  # blocks only for the instant a worker looks
    try:
        if process_writers.acquire(timeout=WAIT_SECONDS):
            info["process_writers"] = process_writers
        if writers_fd is None:
            return
        polite_until = time.monotonic() + GIVE_WAY_SECONDS
        while True:
            if not (polite and time.monotonic() < polite_until and _requests_waiting(waiting_fd)):
                try:
                    fcntl.flock(writers_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    info["writers_locked"] = True
                    return
                except BlockingIOError:
                    pass
            if time.monotonic() > deadline:
                return  # SQLite's busy timeout decides from here
            time.sleep(POLL_SECONDS)
    finally:
        if announced:
            fcntl.flock(waiting_fd, fcntl.LOCK_UN)


def _requests_waiting(waiting_fd: int) -> bool:
    try:
        fcntl.flock(waiting_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    fcntl.flock(waiting_fd, fcntl.LOCK_UN)
    return False


def _let_go(info: dict) -> None:
    """Release what ``_take`` took (nothing twice: a commit is followed by the pool's reset)."""
    if info.pop("writers_locked", False):
        fcntl.flock(info["writers_fd"], fcntl.LOCK_UN)
    process_writers = info.pop("process_writers", None)
    if process_writers is not None:
        process_writers.release()


@contextlib.contextmanager
def exclusive(engine, name: str):
    """One holder at a time, across threads and processes, of a lock named ``name`` beside the
    database, without SQLite's write lock: for work that must not run twice at once and
    calls out (a store's token refresh), which a write transaction would hold for everyone."""
    database = engine.url.database
    if not database or database == ":memory:":
        yield  # a database of one process: its session's own lock is enough
        return
    fd = os.open(f"{database}.{name}", os.O_RDWR | os.O_CREAT, 0o600)  # its own: flock excludes other files
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
