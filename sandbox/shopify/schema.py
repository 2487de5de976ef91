"""The real Shopify Admin GraphQL schema, built once per process.

``graphql.build_schema`` takes several seconds on this 130k-line SDL, so every caller
(the sandbox server, the document tests) shares one cached build.
"""
from __future__ import annotations

import functools
import gc
import gzip
import threading
from pathlib import Path

from graphql import GraphQLSchema, build_schema

SCHEMA_VERSION = "2026-07"
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / f"admin-{SCHEMA_VERSION}.schema.graphql.gz"


_build_lock = threading.Lock()


@functools.cache
def _build() -> GraphQLSchema:
    with gzip.open(SCHEMA_PATH, "rt", encoding="utf-8") as fh:
        schema = build_schema(fh.read(), assume_valid=True, assume_valid_sdl=True)
    # Millions of long-lived objects: keep the cyclic GC from walking them on every full
    # collection (that made whole test sessions measurably slower).
    gc.freeze()
    return schema


def admin_schema() -> GraphQLSchema:
    """The Admin API schema (built once, by whichever thread asks first; others wait)."""
    with _build_lock:
        return _build()


def warm_up_in_background() -> threading.Thread:
    """Build the schema in a daemon thread so the first GraphQL call is not the slow one."""
    thread = threading.Thread(target=admin_schema, name="shopify-schema-build", daemon=True)
    thread.start()
    return thread
