"""Shopify ids: ShipSync speaks numeric strings ("5001"), the Admin API GIDs."""
from __future__ import annotations

from connectors.base import INVALID_DATA, ConnectorError


def to_gid(kind: str, value) -> str:
    """"5001" or "gid://shopify/Order/5001" → "gid://shopify/Order/5001"; raises invalid_data."""
    text = str(value).strip()
    if text.startswith(f"gid://shopify/{kind}/") and text.rsplit("/", 1)[-1].split("?")[0].isdigit():
        return text
    if text.isdigit():
        return f"gid://shopify/{kind}/{text}"
    raise ConnectorError(INVALID_DATA, f"{value!r} is not a Shopify {kind} id (a number or a {kind} GID)")


def numeric_id(value) -> str:
    """"gid://shopify/Order/5001" → "5001" (a numeric string stays as it is)."""
    return str(value).rsplit("/", 1)[-1].split("?", 1)[0]
