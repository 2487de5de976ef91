"""The durable queue: one huey object whose storage follows QUEUE_URL.

huey binds tasks to its object at import time, while QUEUE_URL is only known when the
app is created; so the object starts on memory storage and ``configure`` swaps in the
real storage (SQLite file or Redis) before anything is enqueued.
"""
from __future__ import annotations

import contextlib
import sqlite3
import time
from urllib.parse import urlsplit

from huey import Huey, MemoryHuey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

# No task result is ever read: storing them would cost a queue write per task.
huey = MemoryHuey("shipsync", utc=True, results=False)


class QueueFileStorage(SqliteStorage):
    """huey's SQLite storage, with writers that poll for the lock instead of sleeping.

    Every write (an enqueue, a worker's dequeue) is a short ``begin exclusive`` transaction
    on the queue's own file. SQLite's busy handler sleeps in growing steps (up to 100 ms)
    however soon the lock frees, so a label's enqueue behind a worker's dequeue waited up to
    ~200 ms; here a taken lock is retried every millisecond. A ``begin`` that finds the lock
    taken has written nothing, so retrying it cannot enqueue twice.

    ``synchronous=NORMAL`` (safe with WAL against a process crash) drops the fsync each
    dequeue did while holding the lock. A power loss may forget the last tasks; their
    packages are committed in the app's database, and the worker's ``requeue_stuck`` sweep
    queues them again.
    """

    POLL_SECONDS = 0.001

    def __init__(self, *args, timeout: float = 30, **kwargs):
        self.wait_seconds = timeout
        super().__init__(*args, timeout=0, **kwargs)  # SQLite's sleeping busy handler off: we poll

    def _create_connection(self):
        conn = super()._create_connection()
        conn.execute("pragma synchronous=NORMAL")
        return conn

    def _set_journal_mode(self, conn):
        self._timeout = self.wait_seconds  # huey's own retry loop for the WAL switch
        try:
            super()._set_journal_mode(conn)
        finally:
            self._timeout = 0

    @contextlib.contextmanager
    def db(self, commit=False, close=False):
        if not commit:
            with super().db(close=close) as cursor:
                yield cursor
            return
        with self.lock:
            conn = self.conn
            cursor = conn.cursor()
            try:
                self._begin(cursor)
                try:
                    yield cursor
                except Exception:
                    conn.rollback()
                    raise
                conn.commit()
            finally:
                cursor.close()
                if close:
                    conn.close()
                    self._conn = None

    def _begin(self, cursor) -> None:
        deadline = time.monotonic() + self.wait_seconds
        while True:
            try:
                cursor.execute(self.begin_sql)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() >= deadline:
                    raise
                time.sleep(self.POLL_SECONDS)


def storage_for(queue_url: str, name: str = "shipsync"):
    scheme = urlsplit(queue_url).scheme
    if scheme == "sqlite":
        return QueueFileStorage(name=name, filename=queue_url.removeprefix("sqlite:///"), timeout=30)
    if scheme in ("redis", "rediss"):
        return RedisStorage(name=name, url=queue_url)
    if scheme == "memory":
        return MemoryStorage(name=name)
    raise ValueError(f"QUEUE_URL must be sqlite:///… or redis://…, got {queue_url!r}")


def configure(queue_url: str, name: str = "shipsync") -> Huey:
    huey.storage = storage_for(queue_url, name)
    return huey


def ping() -> None:
    """Raise when the queue's storage cannot be reached (for /healthz)."""
    huey.storage.enqueued_items(1)
