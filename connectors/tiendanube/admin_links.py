"""Links into the merchant's Tiendanube / Nuvemshop admin (pure).

The admin is served on the store's own subdomain — ``{store}.mitiendanube.com/admin/v2/…``,
``{store}.lojavirtualnuvem.com.br/admin/…`` (observed; README "Nexo and the admin's origins")
— which is the ``original_domain`` GET /store answers (documented; the old docs' example says
``pokeloja.nuvemshop.com.br``). The order page's path, ``/admin/v2/orders/{id}``, is the one
public apps link to (observed); an order's page is keyed by the order id, not its number.
"""
from __future__ import annotations

import re
from urllib.parse import quote

_HOST = re.compile(r"(?=.{4,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+")
STORE_FIELDS = "email,contact_email,original_domain"  # what GET /store is asked for


def admin_domain(store_json) -> str | None:
    """The store's admin host from GET /store's ``original_domain`` (a bare host name), or None."""
    value = store_json.get("original_domain") if isinstance(store_json, dict) else None
    host = value.strip().lower().rstrip("/") if isinstance(value, str) else ""
    host = host.removeprefix("https://").removeprefix("http://")
    return host if _HOST.fullmatch(host) else None


def order_url(domain: str | None, order_id: str) -> str | None:
    """The order's page in the admin, once the store's admin host is known."""
    if not domain or not _HOST.fullmatch(domain) or not order_id:
        return None
    return f"https://{domain}/admin/v2/orders/{quote(str(order_id), safe='')}"
