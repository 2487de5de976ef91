"""Install: the authorize page and the token endpoint of Tiendanube's OAuth 2 (code grant only).

- ``GET /apps/{app_id}/authorize?state=…``: a merchant signed in to a store (sandbox cookie
  ``tn_store``) who already accepted the scopes goes straight back to the app's redirect
  URL with ``code`` and ``state``; otherwise a page to sign in / accept (``POST`` the same
  URL with ``store_id``). There is no ``redirect_uri`` or ``scope`` parameter: both are the
  app's settings (``sandbox.redirect_url``, ``sandbox.scopes``).
- ``POST /apps/authorize/token`` with ``client_id``, ``client_secret``, ``grant_type`` (may be
  left out, as the DevHub's own curl does) and ``code`` in the body, JSON or form. Codes are
  single-use and live ``code_ttl`` seconds (5 minutes). Errors are ``{error,
  error_description}`` with HTTP ``sandbox.token_error_status`` (200, as the SDKs observe).
  Parameters in the query string are the documented "common problem": ``invalid_request``.
  ``GET`` on the token URL is a 404. Each success issues a new token: the old one dies.
"""
from __future__ import annotations

import html
import secrets
import time
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, redirect, request

from sandbox.common.control import current_sandbox

bp = Blueprint("tiendanube_oauth", __name__)


@bp.route("/apps/<app_id>/authorize", methods=["GET", "POST"])
def authorize(app_id: str):
    sandbox = current_sandbox()
    if app_id != str(sandbox.app_id):
        return Response("<h1>App not found</h1>", 404, {"Content-Type": "text/html"})
    state = request.values.get("state")
    if request.method == "POST":
        store_id = request.form.get("store_id", "")
        store = sandbox.stores.get(int(store_id)) if store_id.isdigit() else None
        if store is None:
            return Response("<h1>Unknown store</h1>", 400, {"Content-Type": "text/html"})
        return _back_to_app(sandbox, store, state)
    cookie = request.cookies.get("tn_store", "")
    store = sandbox.stores.get(int(cookie)) if cookie.isdigit() else None
    if store is not None and store.scopes_accepted:
        return _back_to_app(sandbox, store, state)  # accepted once: later visits skip the page
    options = "".join(f'<option value="{s.store_id}">{html.escape(s.name)}</option>' for s in sandbox.stores.values())
    page = (f"<h1>Install app {html.escape(str(app_id))}</h1><p>Permissions: {html.escape(sandbox.scopes)}</p>"
            f'<form method="post"><input type="hidden" name="state" value="{html.escape(state or "")}">'
            f'<select name="store_id">{options}</select><button>Accept and install</button></form>')
    return Response(page, 200, {"Content-Type": "text/html; charset=utf-8"})


def _back_to_app(sandbox, store, state: str | None):
    if not sandbox.redirect_url:
        return Response("<h1>The app has no redirect URL configured</h1>", 400, {"Content-Type": "text/html"})
    code = secrets.token_hex(16)
    with sandbox.lock:
        sandbox.codes[code] = (store.store_id, time.monotonic() + sandbox.code_ttl)
    with store.lock:
        store.scopes_accepted = True
    query = {"code": code, **({"state": state} if state is not None else {})}
    response = redirect(f"{sandbox.redirect_url}?{urlencode(query)}", 302)
    response.set_cookie("tn_store", str(store.store_id))
    return response


@bp.route("/apps/authorize/token", methods=["GET", "POST"])
def token():
    sandbox = current_sandbox()
    if request.method == "GET":
        return Response("<h1>Not Found</h1>", 404, {"Content-Type": "text/html"})
    params = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    params = params if isinstance(params, dict) else {}
    if not params and request.args:
        return _fail(sandbox, "invalid_request", "The parameters must be sent in the request body")
    if str(params.get("client_id", "")) != str(sandbox.app_id) or params.get("client_secret") != sandbox.client_secret:
        return _fail(sandbox, "invalid_client", "Client authentication failed")
    if params.get("grant_type", "authorization_code") != "authorization_code":
        return _fail(sandbox, "unsupported_grant_type", "The authorization grant type is not supported")
    with sandbox.lock:
        found = sandbox.codes.pop(str(params.get("code", "")), None)  # single use
    if found is None:
        return _fail(sandbox, "invalid_grant", "The authorization code is invalid or was already used")
    store_id, expires = found
    if time.monotonic() > expires or store_id not in sandbox.stores:
        return _fail(sandbox, "invalid_grant", "The authorization code has expired")
    store = sandbox.stores[store_id]
    user_id = store.store_id if sandbox.user_id_as_number else str(store.store_id)
    return jsonify(access_token=store.issue_token(), token_type="bearer", scope=sandbox.scopes, user_id=user_id)


def _fail(sandbox, error: str, description: str):
    return jsonify(error=error, error_description=description), sandbox.token_error_status
