"""Shopify install by OAuth code grant (DESIGN §4): /auth/shopify → Shopify → /auth/shopify/callback."""
from __future__ import annotations

import secrets
import time

from flask import Blueprint, abort, current_app, redirect, request, session, url_for

from connectors.base import ConnectorError
from connectors.shopify import oauth
from crypto import same_secret
from db import get_session
from models import ACTIVE, Store
from stores import find_store, save_credentials

bp = Blueprint("shopify_auth", __name__, url_prefix="/auth/shopify")

# Shopify signs the callback's timestamp; an older one is a replay.
CALLBACK_MAX_AGE_SECONDS = 600


def _settings():
    return current_app.config["SETTINGS"]


def _callback_url() -> str:
    return _settings().app_url.rstrip("/") + url_for("shopify_auth.callback")


@bp.get("")
def start():
    shop = (request.args.get("shop") or "").strip().lower()
    if not oauth.valid_shop_domain(shop):
        abort(400, description="shop must be a *.myshopify.com domain")
    state = secrets.token_urlsafe(24)
    session["shopify_oauth"] = {"state": state, "shop": shop}  # single use, bound to this browser
    return redirect(oauth.authorize_url(_settings(), shop, state, _callback_url()))


def _check_callback(args) -> str:
    """The shop of a genuine, fresh callback for the install this browser started; aborts otherwise."""
    settings = _settings()
    shop = (args.get("shop") or "").lower()
    if not oauth.valid_shop_domain(shop):
        abort(400, description="invalid shop domain")
    if not oauth.verify_callback_hmac(args.to_dict(), settings.shopify_api_secret):
        abort(401, description="invalid hmac")
    try:
        age = time.time() - int(args.get("timestamp", ""))
    except ValueError:
        abort(400, description="invalid timestamp")
    if not -60 <= age <= CALLBACK_MAX_AGE_SECONDS:
        abort(400, description="stale callback; start the installation again")
    started = session.pop("shopify_oauth", None) or {}
    if not same_secret(started.get("state", ""), args.get("state", "")) or started.get("shop") != shop:
        abort(403, description="state does not match this browser's installation; start again")
    return shop


@bp.get("/callback")
def callback():
    shop = _check_callback(request.args)
    code = request.args.get("code", "")
    try:
        credentials = oauth.exchange_code(_settings(), shop, code)
    except ConnectorError as error:
        abort(502, description=f"Shopify refused the installation: {error.message}")
    save_installed_shop(shop, credentials)
    # Into the app inside the store's admin, which frames it with a session token.
    admin = _settings().shopify_admin_origin.format(shop=shop)
    return redirect(f"{admin}/admin/apps/{_settings().shopify_api_key}")


def save_installed_shop(shop: str, credentials, scopes: str | None = None) -> Store:
    """Save a store's fresh tokens and start what an install starts; used by OAuth and token exchange."""
    db = get_session()
    store = find_store(db, "shopify", shop)
    if store is None:
        store = Store(platform="shopify", domain=shop, name=shop.removesuffix(".myshopify.com"))
        db.add(store)
    save_credentials(store, credentials, current_app.extensions["shipsync"].cipher)
    store.status = ACTIVE
    store.scopes = scopes or _settings().shopify_scopes
    db.commit()
    current_app.extensions["shipsync"].queue.set_up_store(store.id)
    return store


def exchange_on_app_home(args) -> bool:
    """Embedded app home (`/?shop&host&embedded=1&id_token`): when the store has no usable
    offline token (a Shopify-managed install, or after re-authorization was needed),
    exchange the session token for one. Returns True when a token was obtained."""
    from connectors.platform import InvalidSessionToken
    from connectors.shopify.descriptor import session_token

    shop, id_token = (args.get("shop") or "").lower(), args.get("id_token")
    if args.get("embedded") != "1" or not id_token or not oauth.valid_shop_domain(shop):
        return False
    try:
        if session_token(id_token, _settings()) != shop:
            return False
    except InvalidSessionToken:
        return False
    store = find_store(get_session(), "shopify", shop)
    if store is not None and store.status == ACTIVE and store.credentials_encrypted:
        return False
    try:
        credentials = oauth.exchange_session_token(_settings(), shop, id_token)
    except ConnectorError as error:
        current_app.logger.warning("token exchange for %s failed: %s", shop, error.message)
        return False
    save_installed_shop(shop, credentials)
    return True
