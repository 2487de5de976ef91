"""Fixtures: settings on a throwaway database and queue, the app, its client, a real worker.

By default every test gets its own SQLite database and SQLite queue. With
TEST_DATABASE_URL / TEST_QUEUE_URL set (`make test-services`, CI) the same suite runs
on PostgreSQL and Redis.
"""
from __future__ import annotations

import os
import shutil
import signal

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

import db
from config import Settings
from tests import platform_drivers

# Each registered platform's tests/<platform>/driver.py too (tests/platform_drivers.py).
pytest_plugins = ["tests.helpers", "tests.fixtures_shopify", "tests.fixtures_woocommerce", "tests.browser_session",
                  *platform_drivers.modules()]

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
TEST_QUEUE_URL = os.environ.get("TEST_QUEUE_URL")


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """A migrated database: a template file to copy (SQLite) or the shared server database."""
    if TEST_DATABASE_URL:
        engine = create_engine(TEST_DATABASE_URL)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        db.migrate(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    template = tmp_path_factory.mktemp("db") / "template.db"
    db.migrate(f"sqlite:///{template}")
    return template


@pytest.fixture
def database_url(migrated_database, tmp_path):
    if TEST_DATABASE_URL:
        engine = create_engine(TEST_DATABASE_URL)
        with engine.begin() as connection:
            tables = connection.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'"
            )).scalars().all()
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return TEST_DATABASE_URL
    path = tmp_path / "shipsync.db"
    shutil.copy(migrated_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def queue_url(tmp_path):
    return TEST_QUEUE_URL or f"sqlite:///{tmp_path / 'queue.db'}"


@pytest.fixture
def settings(database_url, queue_url, shopify_sandbox, request):
    return platform_drivers.with_platform_settings(Settings(
        app_env="test",
        app_url="http://127.0.0.1:8000",
        secret_key="test-secret-key",
        token_encryption_key=Fernet.generate_key().decode(),
        database_url=database_url,
        queue_url=queue_url,
        shopify_admin_origin=shopify_sandbox.admin_origin,
        sandbox=True,
        allow_http_stores=True,
        store_timeout_seconds=2.0,
        sync_lease_seconds=5.0,
    ), request)


def _forget_rate_buckets(queue_url: str) -> None:
    """Shared rate buckets in Redis outlive huey's flush, and store ids start at 1 again in
    every test: a bucket an earlier test drained (or a smaller platform's) would hold this
    test's packages back."""
    if not queue_url.startswith("redis"):
        return  # database buckets go with the database, file buckets with its file
    import redis

    from sync.shared_buckets import REDIS_KEY

    connection = redis.Redis.from_url(queue_url)
    for key in connection.scan_iter(match=REDIS_KEY.format(store_id="*")):
        connection.delete(key)


@pytest.fixture
def app(settings):
    from app import create_app
    from sync import queue

    app = create_app(settings)
    # An empty queue per test: a fresh file on SQLite, flushed on Redis. The name stays the
    # default so that a worker process started by a test reads the same queue.
    queue.huey.storage.flush_all()
    _forget_rate_buckets(settings.queue_url)
    yield app
    queue.huey.storage.flush_all()
    app.extensions["db_engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def worker(app):
    """A real queue consumer with worker threads, as `flask worker` runs it, for end-to-end tests."""
    from sync import queue

    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = queue.huey.create_consumer(workers=4, worker_type="thread", periodic=False,
                                          initial_delay=0.02, backoff=1.1, max_delay=0.1,
                                          check_worker_health=False)
    consumer.start()
    yield consumer
    consumer.stop(graceful=True)
    for sig, handler in handlers.items():
        signal.signal(sig, handler)
