"""Per-platform test drivers, found by convention: every registered platform may ship
``tests/<platform>/driver.py``. The root conftest loads each as a pytest plugin (its fixtures,
e.g. its sandbox store, are every test's), and the platform-neutral suites run once per
driver: the retry and cause suite (``tests/test_sync_retries.py``) and the abuse suite
(``tests/test_abuse_platforms.py``) — so a new platform's driver file is all they need.

A driver module may export:

- ``settings_changes(request) -> dict``: ``Settings`` changes aiming the app at its sandbox
  (applied to every test's settings, as Shopify's admin origin is);
- ``retry_driver(request, app, client) -> RetryDriver``: a store installed through the app,
  its orders, scripted faults and the tracking the store holds;
- ``abuse_driver(request, app) -> AbuseDriver``: its webhook entry point, signed and forged.
"""
from __future__ import annotations

import dataclasses
import importlib
from pathlib import Path
from typing import Callable

import connectors

TESTS = Path(__file__).resolve().parent


def names() -> list[str]:
    """The registered platforms that ship a test driver, in registration order."""
    return [name for name in connectors.REGISTERED if (TESTS / name / "driver.py").exists()]


def modules() -> list[str]:
    return [f"tests.{name}.driver" for name in names()]


def load(name: str):
    return importlib.import_module(f"tests.{name}.driver")


def with_platform_settings(settings, request):
    """``settings`` with every driver's changes (its sandbox's origins)."""
    changes = {}
    for name in names():
        hook = getattr(load(name), "settings_changes", None)
        if hook is not None:
            changes.update(hook(request))
    return settings.replace(**changes) if changes else settings


def with_hook(hook: str) -> list[str]:
    """The platforms whose driver exports ``hook`` (every one of them should)."""
    return [name for name in names() if hasattr(load(name), hook)]


@dataclasses.dataclass
class RetryDriver:
    new_order: Callable[[], dict]
    label: Callable[..., dict]  # (order, package_id, tracking) -> payload
    fault: Callable[..., None]  # (kind, count=1, retry_after=None, seconds=None, on_write=False)
    tracking: Callable[[dict], list]  # tracking numbers the store holds for an order
    api_headers: dict
    # A lost write answer is read back within the same attempt instead of by the next one.
    reads_back_lost_writes: bool = False


KNOWN, UNKNOWN = "known", "unknown"


@dataclasses.dataclass
class AbuseDriver:
    """One platform's webhook entry point as the abuse suite attacks it.

    ``post(client, payload, topic, store=KNOWN, signature=None)`` delivers ``payload`` (a dict,
    completed with the fields naming the store, or raw bytes sent as they are) signed the way
    the platform signs, or with ``signature`` as the signature header when given; ``store``
    UNKNOWN names a store ShipSync does not have.
    """

    path: str
    signature_header: str
    topics: list[str]
    post: Callable
    order_payload: Callable[[str], dict]  # a valid order-topic payload naming that order id
