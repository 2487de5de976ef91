"""Tiendanube / Nuvemshop as the rest of ShipSync sees it: its ``connectors.platform.Platform``."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from connectors.platform import EMBEDDED, InvalidSessionToken, Platform, Setting, SignIn

from . import admin_links
from .config import API_ORIGIN, API_VERSION, AUTH_ORIGIN, SANDBOX_APP_ID, SANDBOX_CLIENT_SECRET, SCOPES
from .connector import TiendanubeConnector
from .embedding import EMBEDDING
from .ids import as_id
from .session_token import store_id_from_session_token
from .webhooks import TOPICS


def normalize_store(raw) -> str:
    """The store id, digits only (``user_id`` comes as a number or a string; labels say "2093261")."""
    return re.sub(r"\D", "", as_id(raw) or "")


def origin(value: str) -> str:
    """An origin such as https://host[:port], without a trailing slash (paths are the connector's)."""
    value = value.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query:
        raise ValueError(f"must be an origin such as https://host[:port], got {value!r}")
    return value


def app_id(value: str) -> str:
    if not value.strip().isdigit():
        raise ValueError("must be the app's numeric id (Partners portal)")
    return value.strip()


def api_version(value: str) -> str:
    if not re.fullmatch(r"v1|\d{4}-\d{2}|unstable", value.strip()):
        raise ValueError("must look like 2025-03 (or v1)")
    return value.strip()


def check_settings(settings) -> None:
    if bool(settings.tiendanube_app_id) != bool(settings.tiendanube_client_secret):
        raise ValueError("TIENDANUBE_APP_ID and TIENDANUBE_CLIENT_SECRET go together: set both or neither")


def session_token(token: str, settings) -> str:
    """The store id a Nexo session token names (the embedded page's caller)."""
    import jwt

    try:
        return store_id_from_session_token(token, settings.tiendanube_client_secret)
    except jwt.InvalidTokenError as error:
        raise InvalidSessionToken(str(error)) from None


def admin_order_url(store, _settings, external_id: str) -> str | None:
    """The order's page in the store's admin, once GET /store named the admin's host (kept in
    ``Store.options["admin_domain"]`` at install); no link before that."""
    return admin_links.order_url((store.options or {}).get("admin_domain"), external_id)


def install_button() -> str:
    from flask_babel import gettext as _  # the page's language; the registry loads no Flask

    # One app for both brands: Portuguese says Nuvemshop, Spanish Tiendanube (the catalog).
    return _("Install on Tiendanube / Nuvemshop")


# From ShipSync's own page: no input — Tiendanube's authorize page installs on the store the
# merchant is signed in to (it asks them to sign in first). Offered once the app is configured
# (the start answers 404 otherwise).
SIGN_IN = SignIn("tiendanube_auth.start", button=install_button,
                 offered=lambda settings: bool(settings.tiendanube_app_id))


PLATFORM = Platform(
    name="tiendanube",
    connector=TiendanubeConnector,
    normalize_store=normalize_store,
    # Tiendanube signs every delivery with the app's client secret: one URL serves every store.
    webhook_path=lambda _store_id: "/webhooks/tiendanube",
    webhook_topics=TOPICS,
    app_modules=("connectors.tiendanube.install", "connectors.tiendanube.receiver"),
    # There is no refresh grant: re-authorizing is installing again.
    reauthorize=("tiendanube_auth.start", "store"),
    page_mode=EMBEDDED,
    credential_fields=("access_token",),
    sandbox="sandbox.tiendanube",
    sync_cost=TiendanubeConnector.requested_cost,
    read_cost=1.0,  # one request of the store's 40-request bucket
    admin_order_url=admin_order_url,
    session_token=session_token,
    embedding=EMBEDDING,  # the page inside the admin (embedding.py, nexo_bridge.js)
    display_name="Tiendanube",
    messages="connectors.tiendanube.messages",  # its failure messages in the page's language
    settings=(
        Setting("tiendanube_app_id", "TIENDANUBE_APP_ID", "", kind=app_id, sandbox_value=SANDBOX_APP_ID),
        Setting("tiendanube_client_secret", "TIENDANUBE_CLIENT_SECRET", "", sandbox_value=SANDBOX_CLIENT_SECRET),
        Setting("tiendanube_scopes", "TIENDANUBE_SCOPES", SCOPES),
        Setting("tiendanube_auth_origin", "TIENDANUBE_AUTH_ORIGIN", AUTH_ORIGIN, kind=origin,
                https_in_production=True),
        Setting("tiendanube_api_origin", "TIENDANUBE_API_ORIGIN", API_ORIGIN, kind=origin, https_in_production=True),
        Setting("tiendanube_api_version", "TIENDANUBE_API_VERSION", API_VERSION, kind=api_version),
    ),
    check_settings=check_settings,
    sign_in=SIGN_IN,
)
