"""Access tokens, refresh tokens and session tokens, as Shopify issues and checks them.

Expiring offline tokens (DESIGN §5): an access token lives 3600 s, its refresh token
90 days; a refresh answers a new pair and the old pair stops working. Since August 2026
Shopify keeps the *previous refresh token* usable until the app first uses its
replacement (a lost refresh response is recoverable); a shop opts into that with
``retain_previous_refresh_token`` — the default is the stricter rotation.
"""
from __future__ import annotations

import dataclasses
import secrets
import time
import warnings

import jwt

try:  # PyJWT ≥ 2.10 warns about HMAC keys under 32 bytes; the sandbox's app secret is short on purpose
    from jwt.warnings import InsecureKeyLengthWarning
except ImportError:  # pragma: no cover
    InsecureKeyLengthWarning = UserWarning

ACCESS_TTL = 3600
REFRESH_TTL = 7_776_000


class OAuthError(Exception):
    """An answer of the token endpoint other than 200: status and Shopify's JSON body."""

    def __init__(self, status: int, error: str, description: str):
        super().__init__(description)
        self.status = status
        self.body = {"error": error, "error_description": description}


@dataclasses.dataclass
class AccessToken:
    token: str
    shop: str
    scope: str
    expires_at: float | None  # wall clock; None = non-expiring
    revoked: bool = False

    def usable(self, at: float) -> bool:
        return not self.revoked and (self.expires_at is None or at < self.expires_at)


@dataclasses.dataclass
class RefreshToken:
    token: str
    shop: str
    scope: str
    expires_at: float
    access_token: str
    state: str = "active"  # active | superseded (still usable) | retired | revoked
    predecessor: str | None = None


class TokenBook:
    """Every token the sandbox ever issued, for all shops. Callers hold the store lock."""

    def __init__(self):
        self.access: dict[str, AccessToken] = {}
        self.refresh: dict[str, RefreshToken] = {}

    def issue(self, shop: str, scope: str, expiring: bool, predecessor: str | None = None) -> dict:
        """A new token answer, shaped like Shopify's token endpoint's."""
        at = time.time()
        access = AccessToken("shpat_" + secrets.token_hex(16), shop, scope,
                             at + ACCESS_TTL if expiring else None)
        self.access[access.token] = access
        answer = {"access_token": access.token, "scope": scope}
        if expiring:
            refresh = RefreshToken("shprt_" + secrets.token_hex(16), shop, scope, at + REFRESH_TTL,
                                   access.token, predecessor=predecessor)
            self.refresh[refresh.token] = refresh
            answer.update(expires_in=ACCESS_TTL, refresh_token=refresh.token,
                          refresh_token_expires_in=REFRESH_TTL)
        return answer

    def use_refresh(self, shop: str, token: str, retain_previous: bool) -> dict:
        """Rotate: a new pair for a usable refresh token; raises OAuthError(invalid_grant)."""
        record = self.refresh.get(token)
        usable = ("active", "superseded") if retain_previous else ("active",)
        if (record is None or record.shop != shop or record.state not in usable
                or time.time() >= record.expires_at):
            raise OAuthError(400, "invalid_grant", "Token has been expired or revoked.")
        if record.predecessor and record.predecessor in self.refresh:
            previous = self.refresh[record.predecessor]
            if previous.state == "superseded":
                previous.state = "retired"  # the app uses the replacement: retire the old one
        old_access = self.access.get(record.access_token)
        if old_access:
            old_access.revoked = True
        record.state = "superseded" if retain_previous else "retired"
        return self.issue(shop, record.scope, expiring=True, predecessor=token)

    def check(self, shop: str, token: str | None) -> bool:
        record = self.access.get(token or "")
        return bool(record and record.shop == shop and record.usable(time.time()))

    def expire_access(self, shop: str) -> int:
        """Expire every access token of a shop now; returns how many."""
        count = 0
        for record in self.access.values():
            if record.shop == shop and record.usable(time.time()):
                record.expires_at = time.time() - 1
                count += 1
        return count

    def revoke_refresh(self, shop: str) -> int:
        count = 0
        for record in self.refresh.values():
            if record.shop == shop and record.state != "revoked":
                record.state = "revoked"
                count += 1
        return count

    def revoke_all(self, shop: str) -> None:
        """App uninstalled: nothing of this shop works any more."""
        self.revoke_refresh(shop)
        for record in self.access.values():
            if record.shop == shop:
                record.revoked = True

    def current_pair(self, shop: str) -> dict | None:
        """The newest usable pair of a shop (for tests that start "already installed")."""
        for record in reversed(list(self.refresh.values())):
            if record.shop == shop and record.state == "active":
                access = self.access[record.access_token]
                return {"access_token": access.token, "refresh_token": record.token,
                        "expires_at": access.expires_at, "refresh_expires_at": record.expires_at}
        return None


def make_session_token(shop: str, api_key: str, api_secret: str, *, sub: str = "1",
                       lifetime: int = 60, **claims) -> str:
    """A Shopify session token (App Bridge id_token): HS256 with the app secret."""
    at = int(time.time())
    payload = {"iss": f"https://{shop}/admin", "dest": f"https://{shop}", "aud": api_key,
               "sub": sub, "exp": at + lifetime, "nbf": at, "iat": at,
               "jti": secrets.token_hex(8), "sid": secrets.token_hex(8)}
    payload.update(claims)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return jwt.encode(payload, api_secret, algorithm="HS256")


def verify_session_token(token: str, shop: str, api_key: str, api_secret: str) -> dict | None:
    """The claims of a valid session token for this shop, else None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InsecureKeyLengthWarning)
            claims = jwt.decode(token, api_secret, algorithms=["HS256"], audience=api_key, leeway=10,
                                options={"require": ["exp", "nbf", "dest", "aud"]})
    except jwt.PyJWTError:
        return None
    return claims if claims.get("dest") == f"https://{shop}" else None
