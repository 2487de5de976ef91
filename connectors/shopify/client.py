"""Transport: the one place that holds the HTTP client and talks to Shopify.

Every call carries ``settings.store_timeout_seconds`` (a store never hangs a worker);
every failure leaves as a ConnectorError from the ``errors`` table, with any secret this
transport knows scrubbed from its message and detail.
"""
from __future__ import annotations

import requests

from connectors.base import ConnectorError

from . import errors


class ShopifyTransport:
    """GraphQL and token-endpoint calls for one shop."""

    def __init__(self, settings, shop: str, access_token: str | None = None,
                 http: requests.Session | None = None, secrets: tuple[str, ...] = ()):
        self.settings, self.shop, self.access_token = settings, shop, access_token
        self.http = http or requests.Session()
        self.timeout = float(settings.store_timeout_seconds)
        self.origin = settings.shopify_admin_origin.format(shop=shop).rstrip("/")
        self.graphql_url = f"{self.origin}/admin/api/{settings.shopify_api_version}/graphql.json"
        self.token_url = f"{self.origin}/admin/oauth/access_token"
        self._secrets = tuple(s for s in (access_token, settings.shopify_api_secret, *secrets) if s)
        self.last_cost: dict | None = None  # extensions.cost of the last answer (for a rate budget)
        self.spent = 0.0  # points charged for this transport's calls (actual cost; THROTTLED is free)

    def graphql(self, document: str, variables: dict | None = None) -> dict:
        """The ``data`` of a successful GraphQL answer; raises ConnectorError otherwise."""
        headers = {"X-Shopify-Access-Token": self.access_token or "", "Content-Type": "application/json",
                   "Accept": "application/json"}
        response = self._send(self.graphql_url, {"query": document, "variables": variables or {}}, headers)
        with self._scrubbed():
            if response.status_code != 200:
                raise errors.from_http(response)
            body = self._json(response)
            self.last_cost = (body.get("extensions") or {}).get("cost")
            self.spent += float((self.last_cost or {}).get("actualQueryCost") or 0)
            if body.get("errors"):
                raise errors.from_graphql_errors(body, response.status_code)
            if not isinstance(body.get("data"), dict):
                raise errors.not_json(response)
            return body["data"]

    def token(self, payload: dict, action: str) -> dict:
        """POST the token endpoint; the JSON answer or ConnectorError (bad grant → token_expired)."""
        response = self._send(self.token_url, payload, {"Content-Type": "application/json",
                                                        "Accept": "application/json"})
        with self._scrubbed():
            if response.status_code != 200:
                raise errors.from_token_response(response, action)
            body = self._json(response)
            if not body.get("access_token"):
                raise errors.not_json(response)
            return body

    def _send(self, url: str, payload: dict, headers: dict) -> requests.Response:
        with self._scrubbed():
            try:
                return self.http.post(url, json=payload, headers=headers, timeout=self.timeout,
                                      allow_redirects=False)
            except requests.RequestException as exc:
                raise errors.from_exception(exc, self.timeout) from None

    @staticmethod
    def _json(response: requests.Response) -> dict:
        try:
            body = response.json()
        except ValueError:
            raise errors.not_json(response) from None
        if not isinstance(body, dict):
            raise errors.not_json(response)
        return body

    def _scrubbed(self):
        return _Scrub(self._secrets)


class _Scrub:
    """Context manager: remove known secrets from a ConnectorError leaving the block."""

    def __init__(self, secrets):
        self.secrets = secrets

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if isinstance(exc, ConnectorError):
            exc.message = redact(exc.message, self.secrets)
            exc.detail = redact(exc.detail, self.secrets)
            exc.args = (exc.message,)
        return False


def redact(text: str | None, secrets) -> str | None:
    if not text:
        return text
    for secret in secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, "[redacted]")
    return text
