"""Webhook deliveries made at their due time, one at a time, by one background thread.

A platform's deliverer subclasses ``DeliveryQueue`` with its own ``deliver(store, *job)``:
the body, the headers and their signature, what it logs, and whether and when it retries
(by scheduling the job again). Deliveries are asynchronous, as on every platform: the
store's request that caused one has answered long before.
"""
from __future__ import annotations

import heapq
import itertools
import threading
import time

import requests


class DeliveryQueue:
    def __init__(self, thread_name: str):
        self._queue: list = []  # (due, seq, store, job, coalesce), the earliest due first
        self._pending: set = set()  # (store, coalesce) of the jobs waiting under a coalesce key
        self._busy = 0
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name=thread_name, daemon=True)
        self.http = requests.Session()

    def deliver(self, store, *job) -> None:
        raise NotImplementedError

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        self._thread.join(timeout=5)

    def schedule(self, due: float, store, job: tuple, coalesce=None) -> None:
        """Make ``deliver(store, *job)`` at ``due`` (``time.monotonic()``). While a job with the
        same ``coalesce`` key waits for this store, another is not queued: the waiting one goes."""
        with self._cond:
            if coalesce is not None:
                if (store, coalesce) in self._pending:
                    return
                self._pending.add((store, coalesce))
            heapq.heappush(self._queue, (due, next(self._seq), store, job, coalesce))
            self._cond.notify_all()

    def drop(self, store) -> None:
        """Forget the deliveries a removed store still had to make."""
        with self._cond:
            self._queue = [entry for entry in self._queue if entry[2] is not store]
            heapq.heapify(self._queue)
            self._pending = {key for key in self._pending if key[0] is not store}

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every queued delivery was made (for tests and the demo)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.05))
        return True

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and (not self._queue or self._queue[0][0] > time.monotonic()):
                    self._cond.wait(timeout=(self._queue[0][0] - time.monotonic()) if self._queue else None)
                if self._stopped:
                    return
                _due, _seq, store, job, coalesce = heapq.heappop(self._queue)
                self._pending.discard((store, coalesce))
                self._busy += 1
            try:
                self.deliver(store, *job)
            except Exception:  # a sandbox bug must not stop deliveries for every store
                pass
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()


def post(http: requests.Session, url: str, body: bytes, headers: dict,
         timeout: float) -> tuple[int | None, str | None]:
    """POST one delivery, never following a redirect: (HTTP status, None) or (None, the error's name)."""
    try:
        response = http.post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False)
        return response.status_code, None
    except requests.RequestException as error:
        return None, type(error).__name__


def succeeded(status: int | None) -> bool:
    """Whether a delivery counts as received: any 2xx."""
    return status is not None and 200 <= status < 300
