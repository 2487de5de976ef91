"""The orders page inside a store platform's admin, asked of the platform's descriptor.

An EMBEDDED platform describes its admin in ``connectors.platform.Embedding``: how the page
knows that admin opened it (and for which store), who may frame it, the script the admin
requires first, the bridge module that gets session tokens in the browser, and what runs when
the admin opens the app home. Nothing here names a platform.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from flask import current_app

from connectors import PLATFORMS
from connectors.platform import Platform

NOBODY = "frame-ancestors 'none'"


def opened_by(args) -> tuple[Platform, str] | None:
    """(descriptor, store address) of the platform whose admin opened the page ("" when its
    URL names no store), or None: the page is not embedded."""
    for descriptor in PLATFORMS.values():
        embedding = descriptor.embedding
        if embedding is None:
            continue
        store = embedding.opened_by(args)
        if store is not None:
            return descriptor, store
    return None


def frame_ancestors(args, settings) -> str:
    """The ``frame-ancestors`` directive: the opening platform's admin for that store; elsewhere nobody."""
    opened = opened_by(args)
    if opened is None:
        return NOBODY
    descriptor, store = opened
    sources = descriptor.embedding.frame_ancestors(store, settings)
    return "frame-ancestors " + " ".join(dict.fromkeys(sources)) if sources else NOBODY


def run_on_load(descriptor: Platform, args) -> None:
    """The platform's step on the app home (``module:function``, an app-layer function)."""
    if descriptor.embedding.on_load:
        module, _, function = descriptor.embedding.on_load.partition(":")
        getattr(importlib.import_module(module), function)(args)


def bridge_file(name: str) -> Path | None:
    """The bridge module a registered embedding platform ships in its package, or None."""
    descriptor = PLATFORMS.get(name)
    if descriptor is None or descriptor.embedding is None:
        return None
    path = Path(descriptor.embedding.bridge)
    return path if path.is_file() else None


def page_settings(descriptor: Platform, store: str, bridge_url: str) -> dict:
    """What the page's script needs of the embedding (``config.embedding``)."""
    settings = current_app.config["SETTINGS"]
    return {
        "platform": descriptor.name,
        "admin": descriptor.embedding.admin_name(),
        "bridge": bridge_url,
        # The admin's origins: a bridge accepts messages from these only.
        "origins": descriptor.embedding.frame_ancestors(store, settings),
    }
