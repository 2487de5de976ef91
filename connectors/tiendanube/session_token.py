"""The embedded page's caller: a Nexo session token, checked and turned into a store id.

Inside the Tiendanube / Nuvemshop admin the page runs in an iframe and asks the admin for a
session token (``getSessionToken(nexo)``), sent to our API as ``Authorization: Bearer …``.
Documented: a JWT signed with the app's client secret whose ``storeId`` names the store
(the samples verify it with passport-jwt, which accepts the HMAC algorithms). Not
documented: its other claims. So ``exp`` is checked when present and a token with no
``exp`` must carry an ``iat`` no older than ``MAX_AGE`` — a token that never expires is
refused. There is no token-exchange grant: the store must already be installed (OAuth).
"""
from __future__ import annotations

import time

import jwt

from .ids import as_id

ALGORITHMS = ["HS256", "HS384", "HS512"]
LEEWAY_SECONDS = 10
MAX_AGE_SECONDS = 10 * 60  # for a token without exp: the fake issues 5-minute tokens


def store_id_from_session_token(token: str, client_secret: str, now: float | None = None) -> str:
    """The store id a genuine, fresh session token names; raises jwt.InvalidTokenError."""
    if not client_secret:
        raise jwt.InvalidTokenError("Tiendanube is not configured")
    now = time.time() if now is None else now
    claims = jwt.decode(token, client_secret, algorithms=ALGORITHMS, leeway=LEEWAY_SECONDS,
                        options={"verify_aud": False, "verify_iat": False, "verify_exp": False})
    _check_lifetime(claims, now)
    store_id = as_id(claims.get("storeId"))
    if not store_id or not store_id.isdigit():
        raise jwt.InvalidTokenError("the session token names no store (storeId)")
    return store_id


def _check_lifetime(claims: dict, now: float) -> None:
    expires, issued = claims.get("exp"), claims.get("iat")
    if expires is None and issued is None:
        raise jwt.InvalidTokenError("the session token has neither exp nor iat")
    for name, value in (("exp", expires), ("iat", issued)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise jwt.InvalidTokenError(f"{name} is not a number")
    if expires is not None and now > expires + LEEWAY_SECONDS:
        raise jwt.ExpiredSignatureError("the session token has expired")
    if issued is not None and (issued > now + LEEWAY_SECONDS
                               or (expires is None and now - issued > MAX_AGE_SECONDS)):
        raise jwt.ImmatureSignatureError("the session token's iat is in the future or too old")


def make_session_token(client_secret: str, store_id: str | int, lifetime: int = 300, now: float | None = None) -> str:
    """A token as the admin issues one (sandbox and tests)."""
    now = int(time.time() if now is None else now)
    return jwt.encode({"storeId": store_id, "iat": now, "exp": now + lifetime}, client_secret, algorithm="HS256")
