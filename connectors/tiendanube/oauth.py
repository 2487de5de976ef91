"""Install (pure parts and the one token call): the authorize URL and the code exchange.

Tiendanube's only grant is the authorization code. The token endpoint takes its parameters
in the body (form-encoded here, as the official SDK sends them) and may answer a failure
with HTTP 200 and ``{error, error_description}``: the body decides, not the status. The
store is ``user_id`` (a number or a string). Tokens never expire; a new one replaces the old.
"""
from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

import requests

from connectors.base import INVALID_DATA, STORE_SERVER, TOKEN_EXPIRED, ConnectorError, Credentials

from . import errors
from .config import TiendanubeConfig
from .ids import as_id


@dataclasses.dataclass(frozen=True)
class TokenGrant:
    access_token: str
    store_id: str
    scope: str

    @property
    def credentials(self) -> Credentials:
        return Credentials(access_token=self.access_token)


def authorize_url(config: TiendanubeConfig, state: str) -> str:
    """Where to send the merchant: no redirect_uri or scope (both are app settings)."""
    return f"{config.auth_origin.rstrip('/')}/apps/{config.app_id}/authorize?{urlencode({'state': state})}"


def token_url(config: TiendanubeConfig) -> str:
    return f"{config.auth_origin.rstrip('/')}/apps/authorize/token"


def build_token_request(config: TiendanubeConfig, code: str) -> dict:
    return {"client_id": config.app_id, "client_secret": config.client_secret,
            "grant_type": "authorization_code", "code": code}


def parse_token_response(status: int, body) -> TokenGrant:
    """The grant, or ConnectorError: a refused code or app → token_expired (install again)."""
    if not isinstance(body, dict):
        raise ConnectorError(STORE_SERVER, "Tiendanube's token endpoint answered something other than JSON",
                             http_status=status)
    if body.get("error") or not body.get("access_token"):
        error = str(body.get("error") or "no_token")
        description = str(body.get("error_description") or "")[:200]
        if error == "invalid_client":
            message = ("Tiendanube refused ShipSync's app credentials (invalid_client): check TIENDANUBE_APP_ID and "
                       "TIENDANUBE_CLIENT_SECRET")
        elif status >= 500:
            raise ConnectorError(STORE_SERVER, f"Tiendanube's token endpoint failed ({status})", http_status=status,
                                 detail=f"{error}: {description}")
        else:
            message = (f"Tiendanube refused the installation code ({error}: {description or 'no description'}): "
                       "install ShipSync again from the Tiendanube admin")
        raise ConnectorError(TOKEN_EXPIRED, message, http_status=status, detail=f"{error}: {description}")
    store_id = as_id(body.get("user_id"))
    if not store_id or not store_id.isdigit():
        raise ConnectorError(INVALID_DATA, "Tiendanube's token answer names no store (user_id)", http_status=status)
    return TokenGrant(str(body["access_token"]), store_id, str(body.get("scope") or ""))


def exchange_code(config: TiendanubeConfig, code: str, http: requests.Session | None = None) -> TokenGrant:
    """POST the code to the token endpoint; the grant or ConnectorError."""
    http = http or requests.Session()
    try:
        response = http.post(token_url(config), data=build_token_request(config, code),
                             headers={"User-Agent": config.user_agent, "Accept": "application/json"},
                             timeout=config.timeout, allow_redirects=False)
    except requests.RequestException as exc:
        raise errors.from_exception(exc, config.timeout) from None
    if response.status_code == 429:
        raise errors.from_response(response, "exchange the installation code")
    try:
        body = response.json()
    except ValueError:
        raise errors.not_json(response, "exchange the installation code") from None
    return parse_token_response(response.status_code, body)
