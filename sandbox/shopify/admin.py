"""A stand-in for Shopify admin's app page: the app framed with the query Shopify adds; and
an order page whose More actions menu has the app's admin link ("Open in ShipSync"), which
opens the link's URL in the app page with the order's id and an hmac, as Shopify does.

The session token is long-lived here (an hour, not a minute), because the sandbox has no
App Bridge to hand the page a fresh one for every call.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import html
import time
from urllib.parse import quote, urlencode

ORDER_LINK_PATH = "/shopify/order"  # extensions/shipsync-order-link: the admin link's url

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{shop} · Apps · Sandbox Shopify admin</title>
<style>
  body {{ margin: 0; font-family: -apple-system, "Segoe UI", Roboto, sans-serif; background: #ebebeb; }}
  header {{ background: #1a1a1a; color: #e3e3e3; padding: 10px 16px; font-size: 14px; }}
  header b {{ color: #fff; }}
  iframe {{ border: 0; width: 100%; height: calc(100vh - 40px); display: block; }}
</style></head>
<body><header><b>Sandbox Shopify admin</b> · {shop} · Apps › ShipSync</header>
<iframe src="{src}" title="ShipSync"></iframe></body></html>
"""


ORDER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Order {name} · Sandbox Shopify admin</title>
<style>
  body {{ margin: 0; font-family: -apple-system, "Segoe UI", Roboto, sans-serif; background: #f1f1f1; }}
  header {{ background: #1a1a1a; color: #e3e3e3; padding: 10px 16px; font-size: 14px; }}
  main {{ padding: 16px; }} h1 {{ font-size: 20px; }} nav {{ margin: 12px 0; }}
</style></head>
<body><header><b>Sandbox Shopify admin</b> · {shop} · Orders › {name}</header>
<main><h1>Order {name}</h1><p>Fulfillment: {status}</p>
<nav aria-label="More actions"><a href="{link}">Open in ShipSync</a></nav></main></body></html>
"""


def _host(shop: str) -> str:
    name = shop.split(".")[0]
    return base64.b64encode(f"admin.shopify.com/store/{name}".encode()).decode().rstrip("=")


def app_page(store, shop: str, app_url: str, locale: str, order_id: str | None = None) -> str:
    """The app framed; with ``order_id``, at the admin link's URL for that order (signed)."""
    query = {"embedded": "1", "host": _host(shop), "id_token": store.session_token(shop, lifetime=3600),
             "locale": locale, "shop": shop}
    if order_id is None:
        src = f"{app_url.rstrip('/')}/?{urlencode(query)}"
    else:
        query.update(id=str(order_id), timestamp=str(int(time.time())))
        message = "&".join(f"{k}={v}" for k, v in sorted(query.items()))
        query["hmac"] = hmac.new(store.api_secret.encode(), message.encode(), hashlib.sha256).hexdigest()
        src = f"{app_url.rstrip('/')}{ORDER_LINK_PATH}?{urlencode(query)}"
    return PAGE.format(shop=html.escape(shop), src=html.escape(src))


def order_page(store, shop: str, order: dict, locale: str) -> str:
    link = f"/shops/{quote(shop)}/admin/apps/{quote(store.api_key)}?{urlencode({'order': order['id'], 'locale': locale})}"
    return ORDER_PAGE.format(shop=html.escape(shop), name=html.escape(order["name"]),
                             status=html.escape(order["display_fulfillment_status"]), link=html.escape(link))
