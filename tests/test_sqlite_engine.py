"""SQLite's writers queue outside SQLite, and a worker process's writes give way to a request's."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import text

import sqlite_engine
from db import READ_ONLY
from tests.helpers import wait_for

ROOT = Path(__file__).resolve().parent.parent

WORKER = """
import sys
from sqlalchemy import text
import sqlite_engine
sqlite_engine.GIVE_WAY_SECONDS = 60  # this test is about the order, not the patience
sqlite_engine.give_way_to_requests()
engine = sqlite_engine.make_sqlite_engine(sys.argv[1], "read_only")
print("ready", flush=True)
with engine.begin() as connection:
    connection.execute(text("INSERT INTO writes (who) VALUES ('worker')"))
"""


def test_a_workers_write_waits_while_a_requests_write_waits(tmp_path):
    url = f"sqlite:///{tmp_path / 'shipsync.db'}"
    engine = sqlite_engine.make_sqlite_engine(url, READ_ONLY)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE writes (n INTEGER PRIMARY KEY, who TEXT)"))
    holder = engine.connect()
    holder.begin()  # a write under way: everyone else waits for it
    request = threading.Thread(target=_write, args=(engine, "request"))
    request.start()
    waiting = os.open(f"{tmp_path / 'shipsync.db'}.waiting", os.O_RDWR)
    try:
        wait_for(lambda: sqlite_engine._requests_waiting(waiting), message="the request's write waiting")
        worker = subprocess.Popen([sys.executable, "-c", WORKER, url], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                                  env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert worker.stdout.readline().strip() == "ready"
        holder.commit()  # the lock is free: the request, which waited first, must get it
        request.join(timeout=30)
        assert worker.wait(timeout=30) == 0
    finally:
        os.close(waiting)
        holder.close()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT who FROM writes ORDER BY n")).scalars().all() == ["request", "worker"]
    engine.dispose()


def test_a_write_abandoned_mid_transaction_leaves_the_lock_to_the_next_writer(tmp_path):
    engine = sqlite_engine.make_sqlite_engine(f"sqlite:///{tmp_path / 'shipsync.db'}", READ_ONLY)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE writes (n INTEGER PRIMARY KEY, who TEXT)"))
    connection = engine.connect()
    connection.begin()
    connection.exec_driver_sql("INSERT INTO writes (who) VALUES ('first')")
    connection.close()  # neither committed nor rolled back by its owner
    done = threading.Thread(target=_write, args=(engine, "second"))
    done.start()
    done.join(timeout=10)
    assert not done.is_alive()
    engine.dispose()


def _write(engine, who: str) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO writes (who) VALUES (:who)"), {"who": who})
