"""PostgreSQL's connection pool: a connection in steady use is not pinged before each use
(that was a round trip per label), an idle one is, and a connection the server dropped is
replaced instead of failing requests."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

import db
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")


@pytest.fixture
def engine(monkeypatch):
    engine = db.make_engine(TEST_DATABASE_URL)
    pings = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda connection: pings.append(1) or ping(connection))
    engine.pings = pings
    yield engine
    engine.dispose()


def _backend(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar()


def _server_drops(pid: int) -> None:
    admin = create_engine(TEST_DATABASE_URL)
    with admin.begin() as connection:
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    admin.dispose()


def test_a_connection_in_steady_use_is_not_pinged(engine):
    pid = _backend(engine)
    assert [_backend(engine) for _ in range(5)] == [pid] * 5
    assert engine.pings == []


def test_an_idle_connection_the_server_dropped_is_replaced(engine, monkeypatch):
    pid = _backend(engine)
    _server_drops(pid)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # it has been idle long enough
    assert _backend(engine) not in (pid, None)
    assert engine.pings == [1]


def test_a_dropped_connection_met_on_the_hot_path_empties_the_pool(engine):
    with engine.connect() as one, engine.connect() as two:  # two connections pooled…
        pids = [c.execute(text("SELECT pg_backend_pid()")).scalar() for c in (one, two)]
    for pid in pids:  # …and both dropped by the server, as by a restart
        _server_drops(pid)
    with pytest.raises(engine.dialect.loaded_dbapi.OperationalError):
        with db.driver_connection(engine) as connection:
            connection.execute("SELECT 1")
    with db.driver_connection(engine) as connection:  # not the other dead one
        assert connection.execute("SELECT pg_backend_pid()").fetchone()[0] not in pids
