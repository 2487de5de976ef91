"""Where the rate buckets of ``sync.rate_budget`` live so that every worker process shares them.

Every store applies one ``change(bucket or None) -> (bucket, result)`` atomically: Redis
with WATCH/MULTI (retried when another process changed the bucket meanwhile), PostgreSQL
with a row lock (SELECT … FOR UPDATE), SQLite's deployments with a small file beside the
database under ``flock``. Not SQLite's own table: its one write lock is what label intake
waits for, and a budget update before and after every store call would take it twice
per call.
"""
from __future__ import annotations

import fcntl
import json
import os
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import RateBucket
from sync.rate_budget import Bucket, MemoryBuckets

REDIS_KEY = "shipsync:rate:{store_id}"
REDIS_TTL_SECONDS = 3600  # a bucket nobody touched for an hour is full again anyway


class RedisBuckets:
    def __init__(self, url: str):
        import redis

        self.redis = redis.Redis.from_url(url)
        self._watch_error = redis.WatchError

    def update(self, store_id: int, change):
        key = REDIS_KEY.format(store_id=store_id)
        with self.redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.hgetall(key)
                    bucket = Bucket(*(float(raw[f]) for f in (b"available", b"maximum", b"restore_rate", b"at"))) \
                        if raw else None
                    bucket, result = change(bucket)
                    pipe.multi()
                    if bucket is not None:
                        pipe.hset(key, mapping={"available": bucket.available, "maximum": bucket.maximum,
                                                "restore_rate": bucket.restore_rate, "at": bucket.at})
                        pipe.expire(key, REDIS_TTL_SECONDS)
                    pipe.execute()
                    return result
                except self._watch_error:
                    continue  # another worker changed it first: read again


class DatabaseBuckets:
    def __init__(self, sessionmaker):
        self.sessionmaker = sessionmaker

    def update(self, store_id: int, change):
        for _ in range(3):  # two processes may both insert a store's first bucket
            try:
                return self._update(store_id, change)
            except IntegrityError:
                continue
        return self._update(store_id, change)

    def _update(self, store_id: int, change):
        with self.sessionmaker() as session, session.begin():
            row = session.scalar(select(RateBucket).where(RateBucket.store_id == store_id).with_for_update())
            current = Bucket(row.available, row.maximum, row.restore_rate, row.at) if row else None
            bucket, result = change(current)
            if bucket is not None:
                if row is None:
                    row = RateBucket(store_id=store_id)
                    session.add(row)
                row.available, row.maximum, row.restore_rate, row.at = (
                    bucket.available, bucket.maximum, bucket.restore_rate, bucket.at)
            return result


class FileBuckets:
    """Every store's bucket in one JSON file, changed under an exclusive ``flock``: shared by
    every process on the machine (as the SQLite database beside it is), never by two at once.
    A file that cannot be read (never written, or cut short by a crash) holds no bucket:
    the store's next answer fills it again."""

    def __init__(self, path: str):
        self.path = path

    def update(self, store_id: int, change):
        # A descriptor per change: flock excludes other open files, so threads need their own.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            buckets = _read_buckets(fd)
            fields = buckets.get(str(store_id))
            bucket, result = change(Bucket(*fields) if fields else None)
            if bucket is not None:
                buckets[str(store_id)] = [bucket.available, bucket.maximum, bucket.restore_rate, bucket.at]
                data = json.dumps(buckets).encode()
                os.pwrite(fd, data, 0)
                os.ftruncate(fd, len(data))
            return result
        finally:
            os.close(fd)  # and with it the lock


def _read_buckets(fd: int) -> dict:
    data = os.pread(fd, os.fstat(fd).st_size, 0)
    try:
        buckets = json.loads(data) if data else {}
    except ValueError:
        return {}
    return buckets if isinstance(buckets, dict) else {}


def buckets_for(queue_url: str, sessionmaker):
    """Redis when the queue is Redis (it is there already, and fast); beside a SQLite
    database, a file; else the database."""
    scheme = urlsplit(queue_url).scheme
    if scheme in ("redis", "rediss"):
        return RedisBuckets(queue_url)
    if scheme == "memory":
        return MemoryBuckets()
    url = sessionmaker.kw["bind"].url
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return MemoryBuckets()  # a database of one process
        return FileBuckets(f"{url.database}.budget")
    return DatabaseBuckets(sessionmaker)
