"""Shopify sandbox fixtures (loaded by the root conftest through ``pytest_plugins``).

- ``shopify_schema``   the real Admin schema, built once per session (~6 s).
- ``shopify_sandbox``  one SandboxServer for the session (``.url``, ``.admin_origin``, ``.store``).
- ``shopify_store``    the sandbox's control object, reset before each test.
- ``shopify_settings`` Settings pointing SHOPIFY_ADMIN_ORIGIN at the sandbox (2 s store timeout).
- ``shopify_access``   an installed shop ``acme.myshopify.com`` as a StoreAccess.
"""
from __future__ import annotations

from datetime import datetime

import pytest

from config import Settings
from connectors.base import Credentials, StoreAccess
from sandbox.shopify import SandboxServer
from sandbox.shopify.schema import admin_schema

SHOP = "acme.myshopify.com"


@pytest.fixture(scope="session")
def shopify_schema():
    return admin_schema()


@pytest.fixture(scope="session")
def shopify_sandbox(shopify_schema):
    server = SandboxServer().start(warm=False)
    yield server
    server.stop()


@pytest.fixture
def shopify_store(shopify_sandbox):
    shopify_sandbox.store.reset()
    return shopify_sandbox.store


@pytest.fixture
def shopify_settings(shopify_sandbox):
    return Settings(app_env="test", shopify_admin_origin=shopify_sandbox.admin_origin, store_timeout_seconds=2.0)


@pytest.fixture
def shopify_access(shopify_store):
    shopify_store.create_shop(SHOP)
    return access_for(shopify_store.install(SHOP), SHOP)


def access_for(answer: dict, shop: str = SHOP) -> StoreAccess:
    """A StoreAccess from a sandbox token answer (``ShopifyStore.install``)."""
    return StoreAccess("shopify", shop, Credentials(
        access_token=answer["access_token"], refresh_token=answer.get("refresh_token"),
        expires_at=datetime.fromisoformat(answer["expires_at"]) if answer.get("expires_at") else None))
