"""Is the worker alive, and how long does work wait in the queue? (for /healthz)

Kept in the queue's own key/value storage (SQLite file or Redis), which every web and
worker process shares. Once a minute the worker's periodic ``heartbeat`` task writes the
time, and puts a probe task at the back of the queue; the probe's wait when a worker
runs it is the queue lag. A probe still unanswered counts as lag that grows.
"""
from __future__ import annotations

import dataclasses
import json
import time

from huey.constants import EmptyData

from sync.queue import huey

STALE_AFTER = 120.0  # seconds: a heartbeat or a lag older than this fails /healthz
PERIOD = 60.0  # the heartbeat task runs every minute
_HEARTBEAT, _PROBE_SENT, _LAG = "shipsync:heartbeat", "shipsync:probe_sent", "shipsync:queue_lag"


@dataclasses.dataclass(frozen=True)
class WorkerHealth:
    heartbeat_age: float | None  # seconds since the last heartbeat; None: never seen
    queue_lag: float  # seconds the last probe waited, or the waiting one has waited so far

    def problems(self) -> list[str]:
        found = []
        if self.heartbeat_age is None:
            found.append("no worker heartbeat yet: is the worker running?")
        elif self.heartbeat_age > STALE_AFTER:
            found.append(f"the worker's last heartbeat is {self.heartbeat_age:.0f} s old")
        if self.queue_lag > STALE_AFTER:
            found.append(f"queued work waits {self.queue_lag:.0f} s before a worker takes it")
        return found


def _read(key: str) -> float | None:
    raw = huey.storage.peek_data(key)
    return None if raw is EmptyData else float(json.loads(raw))


def _write(key: str, value: float) -> None:
    huey.storage.put_data(key, json.dumps(value).encode())


def beat(now: float | None = None) -> bool:
    """Record that a worker is alive; True when a new probe should be queued (none is waiting)."""
    now = time.time() if now is None else now
    _write(_HEARTBEAT, now)
    sent = _read(_PROBE_SENT)
    # The queue is first in, first out: a probe sent before the previous heartbeat and still
    # unanswered when this one runs was lost (a worker killed while running it): replace it.
    if sent is not None and now - sent < 2 * PERIOD:
        return False
    _write(_PROBE_SENT, now)
    return True


def probe_answered(sent: float, now: float | None = None) -> float:
    lag = max(0.0, (time.time() if now is None else now) - sent)
    _write(_LAG, lag)
    huey.storage.pop_data(_PROBE_SENT)
    return lag


def worker_health(now: float | None = None) -> WorkerHealth:
    now = time.time() if now is None else now
    last, sent = _read(_HEARTBEAT), _read(_PROBE_SENT)
    waiting = now - sent if sent is not None else 0.0
    return WorkerHealth(None if last is None else max(0.0, now - last), max(_read(_LAG) or 0.0, waiting))
