"""Finding a store by what the outside world calls it."""
from __future__ import annotations

from sqlalchemy import delete, select

from connectors import platform as platform_named
from models import Store


def normalize_domain(platform: str, raw: str) -> str:
    """The store's address as its platform's descriptor writes it (raises UnknownPlatform)."""
    return platform_named(platform).normalize_store(raw)


def find_store(session, platform: str, raw_domain: str) -> Store | None:
    return session.execute(
        select(Store).where(Store.platform == platform, Store.domain == normalize_domain(platform, raw_domain))
    ).scalar_one_or_none()


def forget_store(session, platform: str, raw_domain: str) -> bool:
    """Delete a store and everything of it (orders, packages, attempts, receipts cascade).
    True when there was one."""
    result = session.execute(delete(Store).where(Store.platform == platform,
                                                 Store.domain == normalize_domain(platform, raw_domain)))
    return result.rowcount > 0
