"""Scripted failures: queued on a store, each consumed first-in first-out by the first API
request it matches.

Every platform knows these kinds, each answered in the platform's own way (its subclass's
``response``): ``timeout`` (the request is not processed; the answer comes after ``seconds``,
past the client's timeout), ``lost_response`` (the request IS processed, then the answer
comes after ``seconds``: the write happened but the client never learns it), ``503``, ``429``
and ``status`` (any ``status`` with an optional JSON ``body``).
"""
from __future__ import annotations

import dataclasses
from typing import ClassVar


@dataclasses.dataclass
class ScriptedFault:
    KINDS: ClassVar[tuple[str, ...]] = ()

    kind: str
    method: str | None = None  # only requests with this method
    path: str | None = None  # only requests whose path below the API's root contains this
    seconds: float = 3.0
    status: int | None = None
    body: dict | None = None

    def __post_init__(self):
        if self.kind not in self.KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(self.KINDS)}")
        self.method = self.method.upper() if self.method else None

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method.upper()) and (self.path is None or self.path in path)

    @property
    def delays_answer(self) -> bool:
        return self.kind in ("timeout", "lost_response")

    @property
    def applies_request(self) -> bool:
        """Whether the store still does what was asked (only a lost response does)."""
        return self.kind == "lost_response"

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def options(cls) -> tuple[str, ...]:
        """What may be scripted besides the kind (the control API passes these on)."""
        return tuple(field.name for field in dataclasses.fields(cls) if field.name != "kind")


class FaultScript:
    """A store's queue of scripted faults (mixed into a platform's store, which has ``lock``,
    a ``faults`` list and names its ``fault_type``)."""

    fault_type: type[ScriptedFault] = ScriptedFault

    def add_fault(self, kind: str, count: int = 1, **options) -> None:
        """Queue ``count`` faults; each hits the next API request matching ``method``/``path``."""
        with self.lock:
            self.faults.extend(self.fault_type(kind, **options) for _ in range(count))

    def take_fault(self, method: str, path: str) -> ScriptedFault | None:
        with self.lock:
            for index, fault in enumerate(self.faults):
                if fault.matches(method, path):
                    return self.faults.pop(index)
        return None

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()
