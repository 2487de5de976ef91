"""/admin/oauth/authorize and /admin/oauth/access_token, as Shopify plays them.

Grants: authorization code (``expiring=1`` for expiring offline tokens), refresh token
(both tokens rotate) and token exchange (an App Bridge session token for an offline
token). Failures answer like Shopify: 400 ``invalid_grant`` / ``invalid_subject_token``,
401 ``invalid_client``.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from urllib.parse import urlencode, urlsplit

from .tokens import OAuthError, verify_session_token

CODE_TTL = 600
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"
OFFLINE = "urn:shopify:params:oauth:token-type:offline-access-token"
ONLINE = "urn:shopify:params:oauth:token-type:online-access-token"

INSTALL_PAGE = """<!DOCTYPE html>
<html><head><title>Install {app} — Shopify sandbox</title></head>
<body style="font-family: sans-serif; max-width: 32rem; margin: 4rem auto">
<h1>Install app</h1>
<p><strong>{shop}</strong> is about to install the app <code>{app}</code>, which asks for: {scope}.</p>
<form method="post">
{fields}
<button type="submit" id="install">Install app</button>
</form></body></html>"""


def callback_hmac(params: dict, secret: str) -> str:
    """Hex HMAC-SHA256 of the sorted ``k=v&…`` query without hmac (Shopify's OAuth signature)."""
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in ("hmac", "signature"))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def authorize(store, shop: str, args: dict, method: str):
    """(status, body, headers) for the install page (GET) or the approval (POST / auto=1)."""
    if args.get("client_id") != store.api_key:
        return 400, "Oauth error invalid_request: The client_id is invalid or missing", {}
    if not args.get("redirect_uri"):
        return 400, "Oauth error invalid_request: The redirect_uri is missing", {}
    with store.lock:
        if shop not in store.shops:
            store.create_shop(shop)
    if method == "GET" and args.get("auto") not in ("1", "true"):
        fields = "\n".join(f'<input type="hidden" name="{k}" value="{_escape(v)}">' for k, v in args.items())
        page = INSTALL_PAGE.format(app=_escape(args["client_id"]), shop=_escape(shop),
                                   scope=_escape(args.get("scope", "")), fields=fields)
        return 200, page, {"Content-Type": "text/html; charset=utf-8"}
    code = secrets.token_hex(16)
    with store.lock:
        store.codes[code] = {"shop": shop, "scope": args.get("scope", ""), "expires": time.time() + CODE_TTL}
        # Where the app lives, for the admin page that embeds it (Shopify reads it from the app's config).
        redirect = urlsplit(args["redirect_uri"])
        store.shops[shop].app_url = f"{redirect.scheme}://{redirect.netloc}"
    name = shop.split(".")[0]
    params = {"code": code, "host": base64.b64encode(f"admin.shopify.com/store/{name}".encode()).decode().rstrip("="),
              "shop": shop, "state": args.get("state", ""), "timestamp": str(int(time.time()))}
    params["hmac"] = callback_hmac(params, store.api_secret)
    target = args["redirect_uri"] + ("&" if "?" in args["redirect_uri"] else "?") + urlencode(params)
    return 302, "", {"Location": target}


def access_token(store, shop: str, form: dict) -> tuple[int, dict, str]:
    """(status, JSON body, grant name) for a token request."""
    grant = form.get("grant_type") or ("authorization_code" if "code" in form else "")
    try:
        if form.get("client_id") != store.api_key or form.get("client_secret") != store.api_secret:
            raise OAuthError(401, "invalid_client", "Client authentication failed: unknown client or wrong secret.")
        with store.lock:
            if grant == "refresh_token":
                return 200, _refresh(store, shop, form), grant
            if grant == TOKEN_EXCHANGE:
                return 200, _exchange(store, shop, form), grant
            if grant == "authorization_code":
                return 200, _code(store, shop, form), grant
        raise OAuthError(400, "unsupported_grant_type", f"The grant type {grant!r} is not supported.")
    except OAuthError as exc:
        return exc.status, exc.body, grant


def _code(store, shop, form) -> dict:
    record = store.codes.pop(form.get("code") or "", None)
    if record is None or record["shop"] != shop or time.time() > record["expires"]:
        raise OAuthError(400, "invalid_grant", "The authorization code was not found or was already used.")
    return _issue(store, shop, record["scope"], _flag(form.get("expiring")))


def _refresh(store, shop, form) -> dict:
    s = store.shops.get(shop)
    if s is None:
        raise OAuthError(400, "invalid_grant", "Token has been expired or revoked.")
    answer = store.tokens.use_refresh(shop, form.get("refresh_token") or "", s.retain_previous_refresh_token)
    s.refresh_count += 1
    return answer


def _exchange(store, shop, form) -> dict:
    if form.get("subject_token_type") != ID_TOKEN or form.get("requested_token_type") not in (OFFLINE, ONLINE):
        raise OAuthError(400, "invalid_request", "subject_token_type or requested_token_type is invalid.")
    claims = verify_session_token(form.get("subject_token") or "", shop, store.api_key, store.api_secret)
    if claims is None:
        raise OAuthError(400, "invalid_subject_token",
                         "Token exchange cannot be performed due to an invalid subject token.")
    if shop not in store.shops:
        store.create_shop(shop)
    online = form["requested_token_type"] == ONLINE
    return _issue(store, shop, store.shops[shop].scope or "read_orders,write_orders",
                  _flag(form.get("expiring")) and not online)


def _issue(store, shop, scope, expiring) -> dict:
    s = store.shops[shop]
    s.installed, s.scope = True, scope or s.scope
    return store.tokens.issue(shop, s.scope, expiring)


def _flag(value) -> bool:
    return str(value).lower() in ("1", "true")


def _escape(value) -> str:
    return (str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))
