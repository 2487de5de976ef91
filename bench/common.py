"""A throwaway app on a temporary SQLite database and queue, for benchmarks."""
from __future__ import annotations

import contextlib
import resource
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet

import db
from config import Settings


@contextlib.contextmanager
def bench_app(**overrides):
    from app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        db.migrate(database_url)
        settings = Settings(app_env="test", secret_key="bench", token_encryption_key=Fernet.generate_key().decode(),
                            database_url=database_url, queue_url=f"sqlite:///{Path(tmp) / 'queue.db'}", **overrides)
        app = create_app(settings)
        yield app
        app.extensions["db_engine"].dispose()


def peak_rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def percentile(values, fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]
