"""Who is calling the merchant API: a Shopify session token, or a WooCommerce session cookie.

Either way the request is bound to exactly one store (``g.store_id``); every query of
the admin blueprints is scoped to it, so a merchant sees and touches only their own store.
"""
from __future__ import annotations

import functools
import secrets

import jwt
from flask import abort, current_app, g, request, session

from crypto import same_secret
from db import get_session
from models import UNINSTALLED, Store
from stores import find_store

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def shopify_shop_from_session_token(token: str, settings) -> str:
    """The shop domain a valid App Bridge session token names; raises jwt.InvalidTokenError."""
    claims = jwt.decode(token, settings.shopify_api_secret, algorithms=["HS256"],
                        audience=settings.shopify_api_key, leeway=10,
                        options={"require": ["exp", "nbf", "dest", "aud"]})
    return claims["dest"].removeprefix("https://")


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def connect_generation(store: Store) -> int:
    """How many times the store was (re)connected: a session from an older connect is void."""
    value = (store.options or {}).get("connect_generation", 0)
    return value if isinstance(value, int) else 0


def sign_in_store(store_id: int, generation: int) -> None:
    """The WooCommerce merchant's browser session (set by the connect flow)."""
    session.clear()
    session["store_id"] = store_id
    session["generation"] = generation
    session.permanent = True
    csrf_token()


def _store_from_request():
    settings = current_app.config["SETTINGS"]
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        try:
            shop = shopify_shop_from_session_token(header[7:].strip(), settings)
        except jwt.InvalidTokenError:
            abort(401, description="invalid session token")
        return find_store(get_session(), "shopify", shop)
    if "store_id" in session:
        if request.method not in SAFE_METHODS:
            sent = request.headers.get("X-CSRF-Token", "")
            if not session.get("csrf") or not same_secret(session["csrf"], sent):
                abort(403, description="missing or wrong CSRF token")
        store = get_session().get(Store, session["store_id"])
        if store is None or session.get("generation") != connect_generation(store):
            session.clear()  # the store was reconnected since: this session is signed out
            abort(401, description="signed out: the store was reconnected; sign in through your store")
        return store
    abort(401, description="sign in through your store")


def store_required(view):
    """Bind the request to the caller's store (``g.store``) or answer 401/403/404."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        store = _store_from_request()
        if store is None or store.status == UNINSTALLED:
            abort(404, description="store not installed")
        g.store = store
        return view(*args, **kwargs)
    return wrapped
