"""When to try again (DESIGN §1): at most N attempts, n × backoff between them, the store's wait wins."""
from __future__ import annotations

import dataclasses

from connectors.base import ConnectorError
from connectors.retry_after import capped_wait


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    backoff_seconds: float = 1.5

    @classmethod
    def from_settings(cls, settings) -> "RetryPolicy":
        return cls(settings.sync_max_attempts, settings.sync_backoff_seconds)

    def next_wait(self, attempts_made: int, error: ConnectorError) -> float | None:
        """Seconds to wait before attempt ``attempts_made + 1``, or None to give up.

        Only passing failures are retried; a lasting one (bad data, store set-up) would
        fail the same way again, so it goes straight to the merchant.
        """
        if not error.transient or attempts_made >= self.max_attempts:
            return None
        wait = attempts_made * self.backoff_seconds
        store_wait = capped_wait(error.retry_after)  # parsed and capped already; never trust a float twice
        if store_wait is not None:
            wait = max(wait, store_wait)
        return wait
