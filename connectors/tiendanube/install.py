"""Install by OAuth code grant (DESIGN §4): /auth/tiendanube → Tiendanube → /auth/tiendanube/callback.

The only grant is the authorization code: no ``redirect_uri`` or ``scope`` in the authorize
URL (both are the app's settings in the Partners portal), the code lives 5 minutes, and the
token exchange may fail with HTTP 200 (``oauth.parse_token_response`` reads the body). The
store is the answer's ``user_id``. A re-install issues a new token and kills the old one, so
it is also how a merchant re-authorizes: the stored token is replaced, the store is active
again, and the worker re-registers the webhooks and resumes the packages held for it.

The browser that finishes the install is the merchant's: it is signed in to the standalone
page (the fallback when the page is not opened inside the Tiendanube admin).

App-facing (``Platform.app_modules``): imported by the app layer only.
"""
from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, redirect, request, session, url_for

from auth.session import connect_generation, sign_in_store
from connectors.base import ConnectorError
from crypto import same_secret
from db import get_session
from models import ACTIVE, Store
from stores import find_store, save_credentials

from . import oauth
from .config import TiendanubeConfig

PLATFORM = "tiendanube"
MAX_CODE_LENGTH = 200
bp = Blueprint("tiendanube_auth", __name__, url_prefix="/auth/tiendanube")


def _config() -> TiendanubeConfig:
    return TiendanubeConfig.of(current_app.config["SETTINGS"])


@bp.get("")
def start():
    config = _config()
    if not config.app_id:
        abort(404, description="Tiendanube is not configured on this ShipSync")
    state = secrets.token_urlsafe(24)
    session["tiendanube_oauth"] = state  # single use, bound to this browser
    return redirect(oauth.authorize_url(config, state))


@bp.get("/callback")
def callback():
    started = session.pop("tiendanube_oauth", None) or ""
    state, code = request.args.get("state", ""), request.args.get("code", "")
    if not started or not same_secret(started, state):
        abort(403, description="state does not match this browser's installation; start again from /auth/tiendanube")
    if not code or len(code) > MAX_CODE_LENGTH:
        abort(400, description="the callback carries no installation code")
    try:
        grant = oauth.exchange_code(_config(), code)
    except ConnectorError as error:
        abort(502, description=f"Tiendanube refused the installation: {error.message}")
    store = store_installed(grant)
    sign_in_store(store.id, connect_generation(store))
    return redirect(url_for("pages.index"))


def store_installed(grant: oauth.TokenGrant) -> Store:
    """Save the store's new token (a re-install replaces the old one) and start what an install starts."""
    db = get_session()
    store = find_store(db, PLATFORM, grant.store_id)
    if store is None:
        store = Store(platform=PLATFORM, domain=grant.store_id, name=f"Tiendanube {grant.store_id}")
        db.add(store)
    save_credentials(store, grant.credentials, current_app.extensions["shipsync"].cipher)
    store.status = ACTIVE
    store.scopes = grant.scope or _config().scopes
    # Sessions signed in before this install belong to the old token's merchant: void them.
    store.options = {**(store.options or {}), "connect_generation": connect_generation(store) + 1}
    db.commit()
    current_app.extensions["shipsync"].queue.set_up_store(store.id)  # webhooks, import, resume held
    return store
