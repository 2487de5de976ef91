"""Store connectors, one package per platform, behind ``connectors.base.Connector``.

Each ``connectors/<platform>/__init__.py`` exports its descriptor as ``PLATFORM``
(``connectors.platform.Platform``); ``PLATFORMS`` maps names to them. Everything outside a
platform's own folder reads the descriptor; an unknown name raises ``UnknownPlatform``.
"""
from __future__ import annotations

import importlib

from connectors.base import StoreAccess
from connectors.platform import Platform, UnknownPlatform

# The registration: one name per platform (its package is connectors/<name>/).
REGISTERED = ("shopify", "woocommerce", "tiendanube")

PLATFORMS: dict[str, Platform] = {}


def register(descriptor: Platform) -> Platform:
    """Make a platform known (the line above does it for the shipped ones; tests add fakes)."""
    PLATFORMS[descriptor.name] = descriptor
    return descriptor


for _name in REGISTERED:
    register(importlib.import_module(f"connectors.{_name}").PLATFORM)


def platform(name: str) -> Platform:
    """The descriptor of ``name``; raises UnknownPlatform for a name none is registered for."""
    try:
        return PLATFORMS[name]
    except KeyError:
        raise UnknownPlatform(f"no platform {name!r}") from None


def connector_for(access: StoreAccess, settings, http=None):
    """The connector of a store. ``http`` is an optional ``requests.Session`` (tests and benchmarks)."""
    return platform(access.platform).connector(access, settings, http=http)


def sync_cost(name: str, shipment) -> float:
    """Points a sync of ``shipment`` will request from the store's budget (0: the platform has none)."""
    return platform(name).sync_cost(shipment)


def read_cost(name: str) -> float:
    """Points reading one order requests from the store's budget (0: the platform has none)."""
    return platform(name).read_cost
