"""A stand-in for Shopify admin's app page: the app framed with the query Shopify adds.

The session token is long-lived here (an hour, not a minute), because the sandbox has no
App Bridge to hand the page a fresh one for every call.
"""
from __future__ import annotations

import base64
import html
from urllib.parse import urlencode

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


def app_page(store, shop: str, app_url: str, locale: str) -> str:
    name = shop.split(".")[0]
    host = base64.b64encode(f"admin.shopify.com/store/{name}".encode()).decode().rstrip("=")
    query = {"embedded": "1", "host": host, "id_token": store.session_token(shop, lifetime=3600),
             "locale": locale, "shop": shop}
    src = f"{app_url.rstrip('/')}/?{urlencode(query)}"
    return PAGE.format(shop=html.escape(shop), src=html.escape(src))
