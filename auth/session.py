"""Who is calling the merchant API: an embedded platform's session token, or a session cookie.

Either way the request is bound to exactly one store (``g.store_id``); every query of
the admin blueprints is scoped to it, so a merchant sees and touches only their own store.
"""
from __future__ import annotations

import functools
import secrets

from flask import abort, current_app, g, request, session

from connectors import PLATFORMS
from connectors.platform import InvalidSessionToken
from crypto import same_secret
from db import get_session
from models import UNINSTALLED, Store
from stores import find_store

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def store_from_session_token(token: str, settings):
    """The store an embedded page's session token names: each embedded platform checks it
    with its own app secret, so at most one accepts it. 401 when none does."""
    for descriptor in PLATFORMS.values():
        if descriptor.session_token is None:
            continue
        try:
            address = descriptor.session_token(token, settings)
        except InvalidSessionToken:
            continue
        return find_store(get_session(), descriptor.name, address)
    abort(401, description="invalid session token")


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
        return store_from_session_token(header[7:].strip(), settings)
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
