"""Shopify OAuth for the app's auth blueprint: install URL, callback HMAC, code exchange,
token exchange (embedded app session token → offline token) and refresh.

Expiring offline tokens are always requested (``expiring=1``): mandatory for public
apps created since 2026-04-01. Failures raise ConnectorError: a refused grant is
``token_expired`` (the merchant must authorize again), transport trouble is transient.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

from connectors.base import Credentials
from crypto import same_secret

from .client import ShopifyTransport

SHOP_DOMAIN = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9\-_]*\.myshopify\.com$")
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"
OFFLINE_TOKEN = "urn:shopify:params:oauth:token-type:offline-access-token"


def valid_shop_domain(shop) -> bool:
    return isinstance(shop, str) and bool(SHOP_DOMAIN.fullmatch(shop))  # fullmatch: no trailing "\n"


def authorize_url(settings, shop: str, state: str, redirect_uri: str) -> str:
    """Where to send the merchant to install ShipSync (offline access: no grant_options)."""
    query = urlencode({"client_id": settings.shopify_api_key, "scope": settings.shopify_scopes,
                       "redirect_uri": redirect_uri, "state": state})
    return f"{settings.shopify_admin_origin.format(shop=shop).rstrip('/')}/admin/oauth/authorize?{query}"


def verify_callback_hmac(query, secret: str) -> bool:
    """Whether ``hmac`` is the hex HMAC-SHA256 of the other parameters, sorted, as ``k=v&…``.

    ``query`` is a dict (or a MultiDict: the first value of each key is used).
    """
    params = {k: query.get(k) for k in query.keys()}
    received = params.pop("hmac", None)
    params.pop("signature", None)
    if not received or not secret:
        return False
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    expected = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return same_secret(expected, str(received).lower())


def exchange_code(settings, shop: str, code: str, http=None) -> Credentials:
    """Trade the callback's ``code`` for an expiring offline token pair."""
    body = {"client_id": settings.shopify_api_key, "client_secret": settings.shopify_api_secret,
            "code": code, "expiring": 1}
    return _credentials(ShopifyTransport(settings, shop, http=http, secrets=(code,))
                        .token(body, "exchange the authorization code"))


def exchange_session_token(settings, shop: str, id_token: str, http=None) -> Credentials:
    """Trade an App Bridge session token (``id_token``) for an expiring offline token pair."""
    body = {"client_id": settings.shopify_api_key, "client_secret": settings.shopify_api_secret,
            "grant_type": TOKEN_EXCHANGE, "subject_token": id_token, "subject_token_type": ID_TOKEN,
            "requested_token_type": OFFLINE_TOKEN, "expiring": 1}
    return _credentials(ShopifyTransport(settings, shop, http=http, secrets=(id_token,))
                        .token(body, "exchange the session token"))


def refresh(settings, shop: str, refresh_token: str, http=None) -> Credentials:
    """A new token pair; both rotate, so the caller must store the pair atomically."""
    body = {"client_id": settings.shopify_api_key, "client_secret": settings.shopify_api_secret,
            "grant_type": "refresh_token", "refresh_token": refresh_token}
    return _credentials(ShopifyTransport(settings, shop, http=http, secrets=(refresh_token,))
                        .token(body, "refresh the access token"))


def parse_token_response(body: dict, now: datetime | None = None) -> Credentials:
    """Credentials from a token answer; expiries as naive UTC (None for a non-expiring token)."""
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)
    expires_in, refresh_in = body.get("expires_in"), body.get("refresh_token_expires_in")
    return Credentials(
        access_token=body["access_token"],
        refresh_token=body.get("refresh_token"),
        expires_at=now + timedelta(seconds=int(expires_in)) if expires_in else None,
        refresh_expires_at=now + timedelta(seconds=int(refresh_in)) if refresh_in else None,
    )


def _credentials(body: dict) -> Credentials:
    return parse_token_response(body)
