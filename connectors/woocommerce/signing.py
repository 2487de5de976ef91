"""How a WooCommerce store accepts its REST API keys (DESIGN §5, shared/woocommerce samples).

- ``https://`` stores: the consumer key and secret as HTTP Basic auth, or, when a proxy
  strips the ``Authorization`` header, as ``consumer_key``/``consumer_secret`` in the
  query string.
- ``http://`` stores: OAuth 1.0a one-legged, HMAC-SHA256, no token. Keys sent any other
  way are silently ignored there. The signature base string is built from the store's
  *home URL* (what WordPress calls ``home``), not from the Host we connected to; the
  signing key is ``consumer_secret + "&"``.

The OAuth primitives are oauthlib's (RFC 5849 normalisation and HMAC-SHA256); the
samples' captured signatures, accepted by a real WooCommerce 10.0.2, are the test vectors
(tests/test_woocommerce_signing.py). Pure functions: no I/O, nothing logged.
"""
from __future__ import annotations

import base64
import secrets
import time
import types
from urllib.parse import urlsplit

from oauthlib.oauth1.rfc5849 import signature as oauth_signature

SIGNATURE_METHOD = "HMAC-SHA256"

# Auth modes a store may use; kept in Store.options["auth"] when not the default.
BASIC = "basic"  # https default
QUERY = "query"  # https, keys in the query string (a proxy hides the Authorization header)
OAUTH = "oauth"  # http: the only way an http:// store accepts keys
OAUTH_HEADER = "oauth_header"  # http, OAuth parameters in an ``Authorization: OAuth`` header
AUTH_MODES = (BASIC, QUERY, OAUTH, OAUTH_HEADER)


def default_auth_mode(store_url: str) -> str:
    return BASIC if urlsplit(store_url).scheme == "https" else OAUTH


def usable_auth_mode(store_url: str, requested: str | None) -> str:
    """The requested mode when the store's scheme allows it, else the scheme's default.

    Over http:// only OAuth works (a real store ignores Basic and query keys there), and
    over https:// OAuth is never needed: a stored mode that does not fit is ignored.
    """
    https = urlsplit(store_url).scheme == "https"
    if requested in ((BASIC, QUERY) if https else (OAUTH, OAUTH_HEADER)):
        return requested
    return default_auth_mode(store_url)


def basic_auth_header(consumer_key: str, consumer_secret: str) -> str:
    token = base64.b64encode(f"{consumer_key}:{consumer_secret}".encode()).decode()
    return f"Basic {token}"


def signing_url(request_url: str, store_url: str, home_url: str | None) -> str:
    """The URL the store will rebuild when it checks the signature.

    WooCommerce takes the request path, strips the site's own path, and prefixes its home
    URL; when the store's home differs from the URL we talk to (``localhost`` vs
    ``127.0.0.1``, ``www.``), signing the URL we sent fails with "Invalid signature".
    """
    if not home_url or not request_url.startswith(store_url):
        return request_url
    return home_url.rstrip("/") + request_url[len(store_url.rstrip("/")):]


def oauth_parameters(method: str, url: str, query: list[tuple[str, str]], consumer_key: str,
                     consumer_secret: str, *, timestamp: int | None = None,
                     nonce: str | None = None) -> list[tuple[str, str]]:
    """The OAuth 1.0a parameters (signature last) for one request.

    ``url`` is the URL to sign, without query (see ``signing_url``); ``query`` the
    request's own query parameters, decoded. A fresh nonce per request: the store refuses
    a nonce it has seen ("Invalid nonce - nonce has already been used").
    """
    params = [
        ("oauth_consumer_key", consumer_key),
        ("oauth_timestamp", str(int(time.time()) if timestamp is None else timestamp)),
        ("oauth_nonce", nonce or secrets.token_hex(20)),
        ("oauth_signature_method", SIGNATURE_METHOD),
    ]
    params.append(("oauth_signature", sign(method, url, list(query) + params, consumer_secret)))
    return params


def sign(method: str, url: str, params: list[tuple[str, str]], consumer_secret: str) -> str:
    """Base64 HMAC-SHA256 of the RFC 5849 base string, keyed with ``consumer_secret&``."""
    # PHP keeps the last of repeated query keys, so sign each key once, last value winning.
    unique = list(dict((key, value) for key, value in params if key != "oauth_signature").items())
    base_string = oauth_signature.signature_base_string(
        method.upper(), oauth_signature.base_string_uri(url), oauth_signature.normalize_parameters(unique))
    client = types.SimpleNamespace(client_secret=consumer_secret, resource_owner_secret="")
    return oauth_signature.sign_hmac_sha256_with_client(base_string, client)


def oauth_header(params: list[tuple[str, str]]) -> str:
    from oauthlib.common import quote

    return "OAuth " + ", ".join(f'{key}="{quote(value, safe="")}"' for key, value in params)
