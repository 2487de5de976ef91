"""The durable queue: one huey object whose storage follows QUEUE_URL.

huey binds tasks to its object at import time, while QUEUE_URL is only known when the
app is created; so the object starts on memory storage and ``configure`` swaps in the
real storage (SQLite file or Redis) before anything is enqueued.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from huey import Huey, MemoryHuey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

# No task result is ever read: storing them would cost a queue write per task.
huey = MemoryHuey("shipsync", utc=True, results=False)


def storage_for(queue_url: str, name: str = "shipsync"):
    scheme = urlsplit(queue_url).scheme
    if scheme == "sqlite":
        return SqliteStorage(name=name, filename=queue_url.removeprefix("sqlite:///"), timeout=30)
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
