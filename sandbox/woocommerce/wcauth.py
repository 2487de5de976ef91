"""``/stores/<name>/wc-auth/v1/…``: WooCommerce's app authorization ("wc-auth") endpoint.

The merchant is taken as logged in (the sandbox has no login form). Rules from the
samples: a missing parameter, a bad scope or an ``http://`` callback_url → a 401 HTML error
page (the store may be told to allow http callbacks, for local testing); on approval the
store creates a key, POSTs ``{key_id, user_id, consumer_key, consumer_secret,
key_permissions}`` as JSON to ``callback_url`` and, only if that answers exactly 200,
302s to ``return_url?success=1&user_id=…``; otherwise the key is deleted and the merchant
sees a 401 error page. ``auto=1`` approves at once (tests).
"""
from __future__ import annotations

import html
import json
import secrets
import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from flask import Blueprint, Response, redirect, request

from sandbox.common.control import current_sandbox

bp = Blueprint("woo_auth", __name__)
PARAMS = ("app_name", "user_id", "return_url", "callback_url", "scope")
SCOPES = ("read", "write", "read_write")
CALLBACK_TIMEOUT = 30.0


class AuthPageError(Exception):
    pass


def _store(name: str):
    return current_sandbox().stores.get(name)


@bp.get("/stores/<name>/wc-auth/v1/authorize")
@bp.get("/stores/<name>/wc-auth/v1/authorize/")
def authorize(name: str):
    store = _store(name)
    if store is None:
        return Response("<h1>Not Found</h1>", 404)
    try:
        params = _validate(store, request.args)
    except AuthPageError as error:
        return _error_page(str(error))
    if request.args.get("auto") == "1":
        return _grant(store, params)
    nonce = secrets.token_hex(5)
    with store.lock:
        store.auth_nonces.add(nonce)
    approve = f"{store.url}/wc-auth/v1/access_granted/?{urlencode({**params, 'wc_auth_nonce': nonce})}"
    deny = _add_query(params["return_url"], success="0", user_id=params["user_id"])
    app_name = html.escape(params["app_name"])
    access = {"read": "Read", "write": "Write", "read_write": "Read/Write"}[params["scope"]]
    page = (f"<!DOCTYPE html><html><head><title>{app_name} would like to connect to your store</title></head><body>"
            f"<h1>{app_name} would like to connect to your store</h1>"
            f"<p>This will give \"{app_name}\" {access} access which will allow it to: Create webhooks; "
            f"View and manage orders.</p><p>Logged in as admin</p>"
            f"<a class=\"button-primary\" id=\"approve\" href=\"{html.escape(approve)}\">Approve</a> "
            f"<a class=\"button\" id=\"deny\" href=\"{html.escape(deny)}\">Deny</a></body></html>")
    return Response(page, 200, {"Content-Type": "text/html; charset=UTF-8"})


@bp.get("/stores/<name>/wc-auth/v1/access_granted")
@bp.get("/stores/<name>/wc-auth/v1/access_granted/")
def access_granted(name: str):
    store = _store(name)
    if store is None:
        return Response("<h1>Not Found</h1>", 404)
    try:
        params = _validate(store, request.args)
        with store.lock:
            if request.args.get("wc_auth_nonce") not in store.auth_nonces:
                raise AuthPageError("Invalid nonce. Only users with manage_woocommerce capability can do this")
            store.auth_nonces.discard(request.args["wc_auth_nonce"])
    except AuthPageError as error:
        return _error_page(str(error))
    return _grant(store, params)


def _validate(store, args) -> dict:
    for param in PARAMS:
        if not args.get(param):
            raise AuthPageError(f"Missing parameter {param}")
    if args["scope"] not in SCOPES:
        raise AuthPageError(f"Invalid scope {args['scope']}")
    for param in ("return_url", "callback_url"):
        parts = urlsplit(args[param])
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise AuthPageError(f"The {args[param]} is not a valid URL")
    if not args["callback_url"].lower().startswith("https://") and not store.allow_http_callback:
        raise AuthPageError("The callback_url needs to be over SSL")
    return {param: args[param] for param in PARAMS}


def _grant(store, params: dict):
    key = store.issue_key(permissions=params["scope"])
    payload = {"key_id": key["key_id"], "user_id": params["user_id"], "consumer_key": key["consumer_key"],
               "consumer_secret": key["consumer_secret"], "key_permissions": key["permissions"]}
    status, error = None, None
    try:
        answer = requests.post(params["callback_url"], data=json.dumps(payload),
                               headers={"Content-Type": "application/json;charset=UTF-8",
                                        "User-Agent": f"WordPress/6.8.3; {store.url}"},
                               timeout=CALLBACK_TIMEOUT, allow_redirects=False)
        status = answer.status_code
    except requests.RequestException as failure:
        error = type(failure).__name__
    with store.lock:
        store.delivery_log.append({"t": time.time(), "kind": "auth_callback", "webhook_id": None, "topic": None,
                                   "order_id": None, "url": params["callback_url"], "status": status, "error": error,
                                   "delivery_id": None, "body": json.dumps({**payload, "consumer_secret": "…"})})
    if status != 200:
        store.revoke_key(key["consumer_key"])  # WooCommerce deletes a key it could not hand over
        return _error_page(error or "An error occurred in the request and at the time were unable to send the "
                                    "consumer data")
    return redirect(_add_query(params["return_url"], success="1", user_id=params["user_id"]), 302)


def _add_query(url: str, **params) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def _error_page(message: str) -> Response:
    text = html.escape(f"Error: {message}.")
    page = (f"<!DOCTYPE html><html><head><title>Access denied</title></head>"
            f"<body id=\"error-page\"><div class=\"wp-die-message\">{text}</div></body></html>")
    return Response(page, 401, {"Content-Type": "text/html; charset=UTF-8"})
