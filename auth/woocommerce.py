"""WooCommerce connect (DESIGN §4): /auth/woocommerce → the store's wc-auth page → callback + return.

1. ``GET /auth/woocommerce?store_url=…`` (the merchant's browser): the URL is normalised and
   checked, and the browser goes to ``<store>/wc-auth/v1/authorize`` with a ``user_id`` we
   sign (itsdangerous, ``SECRET_KEY``, a salt, an hour's validity) naming the store URL and a
   nonce that this browser's session also keeps.
2. ``POST /auth/woocommerce/callback`` (the *store's server*, no browser cookie, and it may
   arrive before the browser returns): keys as JSON. A forged or expired ``user_id``, a key
   without read_write, or a malformed body stores nothing and gets a 4xx — which makes
   WooCommerce delete the key it just made. The keys are kept *pending* (in this request
   only) until one authenticated call to the store named in the signed ``user_id``, with
   exactly these keys, succeeds: anyone can obtain a ``user_id`` for any store, so keys that
   the store itself does not accept must never replace working ones. Verified keys (and a
   per-store webhook secret, kept across reconnects) are stored encrypted, the store's
   connect generation goes up (older sessions are signed out), and the answer is exactly
   200: anything else and WooCommerce discards the key. A failed verification changes
   nothing. The install work (webhooks, open orders, held packages) goes to the worker:
   creating a webhook makes the store ping us before it answers.
3. ``GET /auth/woocommerce/return?success=1&user_id=…`` (the browser again): only the browser
   whose session started that very flow, and only once that flow's keys were verified, is
   signed in; otherwise a page says the connection was not completed.
"""
from __future__ import annotations

import ipaddress
import socket

import logging
import secrets
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from requests_hardened.ip_filter import EXTRA_BLOCKED_NET_RANGES

from auth.session import connect_generation, sign_in_store
from connectors import connector_for
from connectors.base import ConnectorError, Credentials, StoreAccess
from db import get_session
from locales import language_tag
from models import ACTIVE, Store
from stores import find_store, normalize_domain, save_credentials, store_access

bp = Blueprint("woocommerce_auth", __name__, url_prefix="/auth/woocommerce")
log = logging.getLogger(__name__)

APP_NAME = "ShipSync"
SCOPE = "read_write"
USER_ID_SALT = "shipsync.woocommerce.connect"
USER_ID_MAX_AGE = 3600  # the merchant has an hour to approve on the store's page
SESSION_KEY = "woocommerce_connect"
MAX_PENDING = 5


def _settings():
    return current_app.config["SETTINGS"]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_settings().secret_key, salt=USER_ID_SALT)


def _app_url(endpoint: str) -> str:
    return _settings().app_url.rstrip("/") + url_for(endpoint)


def valid_store_url(raw: str, allow_http: bool) -> str | None:
    """The normalised store URL, or None when it is not one ShipSync may connect to."""
    if not raw or len(raw) > 255 or any(c.isspace() for c in raw.strip()):
        return None
    url = normalize_domain("woocommerce", raw)
    parts = urlsplit(url)
    if parts.scheme not in (("https", "http") if allow_http else ("https",)):
        return None
    if not parts.hostname or parts.username or parts.password or "?" in raw or "#" in raw:
        return None
    try:
        parts.port  # a malformed port raises
    except ValueError:
        return None
    if not allow_http and not _public_host(parts.hostname):
        return None
    return url


def _public_host(hostname: str) -> bool:
    """Whether every address of the host is a public one.

    The worker calls whatever store URL a merchant enters; without this, a "store" at
    127.0.0.1 or 10.0.0.5 would make ShipSync probe its own network. Local testing
    (ALLOW_HTTP_STORES=1) skips the check.
    """
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(hostname, 443, proto=socket.IPPROTO_TCP)}
    except (socket.gaierror, UnicodeError):
        return False
    return bool(addresses) and all(_public_address(ipaddress.ip_address(a.split("%")[0])) for a in addresses)


def _public_address(address) -> bool:
    """Globally reachable, and in none of the ranges that translate to private ones (NAT64,
    6to4, CG-NAT: the same list the store session refuses at every connection)."""
    mapped = getattr(address, "ipv4_mapped", None)
    address = mapped or address
    return address.is_global and not any(address in net for net in EXTRA_BLOCKED_NET_RANGES
                                         if net.version == address.version)


def read_user_id(user_id: str) -> dict | None:
    """``{"store": url, "nonce": …}`` from a genuine, unexpired ``user_id``, else None."""
    try:
        data = _serializer().loads(user_id or "", max_age=USER_ID_MAX_AGE)
    except (BadSignature, SignatureExpired):
        return None
    return data if isinstance(data, dict) and {"store", "nonce"} <= set(data) else None


DETECTED_OPTIONS = ("tracking_backend", "home_url", "tracking_namespace", "tracking_providers", "language")


@bp.get("")
def start():
    store_url = valid_store_url(request.args.get("store_url", ""), _settings().allow_http_stores)
    if store_url is None:
        return _page(400, _("The store address is missing or not valid."),
                     _("Enter your store's address, starting with https://."), request.args.get("store_url", ""))
    nonce = secrets.token_urlsafe(16)
    # The connects this browser started (a few, for several tabs), each bound to its nonce.
    started = dict(list((session.get(SESSION_KEY) or {}).items())[-(MAX_PENDING - 1):])
    session[SESSION_KEY] = {**started, nonce: store_url}
    params = {"app_name": APP_NAME, "scope": SCOPE,
              "user_id": _serializer().dumps({"store": store_url, "nonce": nonce}),
              "return_url": _app_url("woocommerce_auth.connect_return"),
              "callback_url": _app_url("woocommerce_auth.callback")}
    return redirect(f"{store_url}/wc-auth/v1/authorize?{urlencode(params)}")


@bp.post("/callback")
def callback():
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        abort(400, description="the body must be the JSON WooCommerce sends")
    signed = read_user_id(str(data.get("user_id", "")))
    if signed is None:
        abort(403, description="user_id is not one ShipSync issued (or it expired): start connecting again")
    key, secret = data.get("consumer_key"), data.get("consumer_secret")
    if not (isinstance(key, str) and key.startswith("ck_") and isinstance(secret, str) and secret.startswith("cs_")):
        abort(400, description="consumer_key and consumer_secret are required")
    if data.get("key_permissions") != SCOPE:
        abort(400, description="ShipSync needs read_write access")

    db, services = get_session(), current_app.extensions["shipsync"]
    store = find_store(db, "woocommerce", signed["store"])
    if store is not None and (store.options or {}).get("connect_nonce") == signed["nonce"]:
        abort(409, description="this connection already delivered its keys: start connecting again")
    webhook_secret = store_access(store, services.cipher).credentials.webhook_secret if store else None
    pending = Credentials(access_token=key, consumer_secret=secret,
                          webhook_secret=webhook_secret or secrets.token_urlsafe(32))
    _verify_keys(signed["store"], pending, (store.options or {}) if store else {})
    if store is None:
        store = Store(platform="woocommerce", domain=signed["store"], name=urlsplit(signed["store"]).hostname,
                      options={})
        db.add(store)
    save_credentials(store, pending, services.cipher)
    store.status, store.scopes = ACTIVE, SCOPE
    # What was detected about the store (tracking backend, home URL) is found out afresh:
    # a reconnect is often what follows installing a tracking plugin.
    kept = {k: v for k, v in (store.options or {}).items() if k not in DETECTED_OPTIONS}
    store.options = {**kept, "key_id": data.get("key_id"), "key_ending": key[-7:], "connect_nonce": signed["nonce"],
                     "connect_generation": connect_generation(store) + 1}
    db.commit()
    try:
        current_app.extensions["shipsync"].queue.set_up_store(store.id)
    except Exception:  # the keys are stored: never answer non-200 now, or WooCommerce deletes them
        log.exception("store %s: could not queue the install work; reconciliation will", store.id)
    return "", 200


def _verify_keys(store_url: str, credentials: Credentials, options: dict) -> None:
    """Abort unless the store accepts exactly these keys on an authenticated read.

    Nothing is stored before this succeeds; the 4xx/502 makes WooCommerce delete the key."""
    services = current_app.extensions["shipsync"]
    access = StoreAccess(platform="woocommerce", domain=store_url, credentials=credentials,
                         options={k: v for k, v in options.items() if k in ("auth", "home_url")})
    try:
        connector_for(access, services.settings, http=services.sync_engine.http).verify_credentials()
    except ConnectorError as error:
        log.info("woocommerce connect to %s: keys not verified (%s, %s)", store_url, error.cause, error.http_status)
        if error.transient:
            abort(502, description="could not reach the store to check the keys: connect again")
        abort(403, description="the store did not accept these keys")


@bp.post("/sign-out")
def sign_out():
    """Forget this browser's session; the page then offers to connect (sign in) again."""
    session.clear()
    return redirect("/", 303)


@bp.get("/return")
def connect_return():
    signed = read_user_id(request.args.get("user_id", ""))
    if signed is None:
        return _page(400, _("This connection link is invalid or has expired."), _("Start connecting your store again."))
    if request.args.get("success") != "1":
        return _page(400, _("The connection was not approved in your store."),
                     _("Connect again and choose Approve on your store's page."), signed["store"])
    started = session.get(SESSION_KEY) or {}
    if started.get(signed["nonce"]) != signed["store"]:
        return _page(403, _("This browser did not start this connection."),
                     _("Start connecting from this browser, then approve on your store's page."), signed["store"])
    store = find_store(get_session(), "woocommerce", signed["store"])
    if store is None or (store.options or {}).get("connect_nonce") != signed["nonce"] or store.status != ACTIVE:
        return _page(409, _("The connection was not completed: your store's API keys did not reach ShipSync or "
                            "did not work."),
                     _("Check that ShipSync's address is reachable from your store, then connect again."),
                     signed["store"])
    sign_in_store(store.id, connect_generation(store))  # a fresh session: pending connects go with the old one
    return redirect("/")


def _page(status: int, message: str, fix: str, store_url: str = ""):
    """The page saying what went wrong and what to do, styled as the app, with the connect form
    again holding the address the merchant typed (so a typo is fixed, not retyped)."""
    return render_template("connect_error.html", locale=language_tag(), message=message, fix=fix, store_url=store_url[:2000]), status
