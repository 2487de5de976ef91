"""Scripted failures, consumed first-in first-out by the API requests they match.

Kinds (what a client of Tiendanube meets; matching and queueing: ``sandbox.common.faults``):
- ``503``: platform trouble, a JSON error body;
- ``429``: the bucket is held full for ``seconds``; the answer's ``x-rate-limit-reset``
  announces the wait (Tiendanube sends no ``Retry-After``), and the requests that follow
  within that time are refused too, as a real full bucket would;
- ``timeout``: the request is not processed; the answer (a 504) comes after ``seconds``;
- ``lost_response``: the request IS processed, then the answer comes after ``seconds``:
  the write happened but the client never learns it;
- ``status``: any ``status`` with an optional JSON ``body``.
"""
from __future__ import annotations

import dataclasses
import json
from typing import ClassVar

from sandbox.common.faults import ScriptedFault


@dataclasses.dataclass
class Fault(ScriptedFault):
    KINDS: ClassVar[tuple[str, ...]] = ("503", "429", "timeout", "lost_response", "status")

    def response(self) -> tuple[int, bytes]:
        if self.kind == "503":
            return 503, _error(503, "Service Unavailable", "The service is temporarily unavailable")
        if self.kind == "429":
            return 429, _error(429, "Too Many Requests", "Rate limit exceeded")
        if self.kind == "timeout":
            return 504, _error(504, "Gateway Timeout", "The upstream server did not answer in time")
        if self.body is not None:
            return self.status or 500, json.dumps(self.body).encode()
        return self.status or 500, _error(self.status or 500, "Error", "Injected fault")


def _error(code: int, message: str, description: str) -> bytes:
    return json.dumps({"code": code, "message": message, "description": description}).encode()
