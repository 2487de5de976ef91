"""The SQLite queue's writers wait for a taken lock and then write once (sync/queue.py)."""
import sqlite3
import threading

import pytest

from sync.queue import storage_for


def test_an_enqueue_behind_a_held_write_lock_lands_once_the_lock_frees(tmp_path):
    path = tmp_path / "queue.db"
    storage = storage_for(f"sqlite:///{path}")
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("begin exclusive")  # as a worker's dequeue holds it
    enqueued = threading.Thread(target=storage.enqueue, args=(b"task",))
    enqueued.start()
    enqueued.join(0.2)
    assert enqueued.is_alive()  # waiting, not failed
    holder.execute("commit")
    enqueued.join(5)
    assert not enqueued.is_alive()
    assert storage.enqueued_items() == [b"task"]
    assert storage.dequeue() == b"task" and storage.dequeue() is None


def test_a_lock_held_past_the_wait_fails_the_enqueue_and_writes_nothing(tmp_path):
    path = tmp_path / "queue.db"
    storage = storage_for(f"sqlite:///{path}")
    storage.wait_seconds = 0.05
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("begin exclusive")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        storage.enqueue(b"task")
    holder.execute("commit")
    assert storage.queue_size() == 0
