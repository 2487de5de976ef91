"""Finding a store by what the outside world calls it."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import delete, select

from models import Store


def normalize_domain(platform: str, raw: str) -> str:
    """Shopify: the lower-case shop domain. WooCommerce: scheme://host[:port][/path] without trailing slash."""
    raw = (raw or "").strip()
    if platform == "woocommerce":
        parts = urlsplit(raw if "://" in raw else "https://" + raw)
        return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), "", ""))
    return raw.lower().removeprefix("https://").rstrip("/")


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
