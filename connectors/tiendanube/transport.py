"""Transport: the one place that holds the HTTP client and talks to a Tiendanube store's API.

Every call goes to ``{api_origin}/{version}/{store_id}/{resource}`` with a timeout, the
``User-Agent`` naming the app and a contact, and the credentials header. The facts
conflict on that header: the 2025-03 reference wants ``Authentication: bearer TOKEN`` and
calls ``Authorization``/``Bearer`` a mistake (401), while guides since 2026-05 use
``Authorization: Bearer``. We send the documented one; on a 401 we try the other reading
once, and keep whichever worked (``auth_style``, remembered in the store's options), so a
revoked token costs one extra request and a changed platform costs nothing more.

The bucket: every answer's ``x-rate-limit-*`` headers are kept (``rate``) and feed the
process-wide model of the store's bucket (``pacing``), which gives each call its turn. A
429 whose wait fits ``max_pause`` is waited out and retried once (a 429 means nothing was
done); a longer one leaves as ``rate_limited`` with the store's wait for the engine.
"""
from __future__ import annotations

import re
import time
from typing import Iterator

import requests

from connectors.base import ConnectorError

from . import errors
from .config import TiendanubeConfig
from .pacing import Rate, pacer_for, parse_rate

STYLES = {"authentication": ("Authentication", "bearer"), "authorization": ("Authorization", "Bearer")}
LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?(\w+)"?')


class StoreClient:
    """Calls to one store's API."""

    def __init__(self, config: TiendanubeConfig, store_id: str, access_token: str, http: requests.Session | None = None,
                 auth_style: str | None = None, sleep=time.sleep):
        self.config, self.store_id, self.access_token = config, str(store_id), access_token
        self.http = http or requests.Session()
        self.base = f"{config.api_origin.rstrip('/')}/{config.api_version}/{self.store_id}"
        self.auth_style = auth_style if auth_style in STYLES else "authentication"
        self.rate: Rate | None = None  # as of this client's last answer
        self.spent = 0  # requests the store's bucket took for this client's calls (a 429 takes none)
        self.pacer = pacer_for(self.base)
        self._sleep = sleep

    # --- public -----------------------------------------------------------------------------------
    def get(self, resource: str, params: dict | None = None, action: str = "read"):
        return self.call("GET", resource, params=params, action=action)

    def call(self, method: str, resource: str, *, params: dict | None = None, json: dict | None = None,
             action: str = "call the API"):
        """The JSON answer of a 2xx; raises ConnectorError otherwise."""
        response = self._send(method, f"{self.base}/{resource.lstrip('/')}", params, json, action)
        return self._json(response, action)

    def get_all(self, resource: str, params: dict, action: str = "list") -> Iterator[dict]:
        """Every item of a list, following ``Link: rel=next``; a 404 "Last page is N" is the end
        (Tiendanube answers an empty result that way)."""
        url, query = f"{self.base}/{resource.lstrip('/')}", dict(params)
        while url:
            try:
                response = self._send("GET", url, query, None, action)
            except ConnectorError as exc:
                if exc.http_status == 404 and "last page is" in (exc.detail or "").lower():
                    return
                raise
            page = self._json(response, action)
            if not isinstance(page, list):
                raise errors.not_json(response, action)
            yield from page
            url, query = next_link(response.headers.get("Link", "")), None
            if url and not url.startswith(self.base + "/"):
                # Never send the token anywhere but the store's own API.
                raise ConnectorError(errors.STORE_SERVER, "Tiendanube's next-page link leaves the store's API",
                                     detail=f"{action}: Link to another origin")

    # --- transport ---------------------------------------------------------------------------------
    def _send(self, method: str, url: str, params, body, action: str) -> requests.Response:
        self._pace(action)
        response = self._attempt(method, url, params, body, action, self.auth_style)
        if response.status_code == 401:
            other = next(s for s in STYLES if s != self.auth_style)
            retry = self._attempt(method, url, params, body, action, other)
            if retry.status_code != 401:
                self.auth_style, response = other, retry
        if response.status_code == 429:
            wait = errors.rate_wait(response)
            if wait <= self.config.max_pause:
                self._sleep(wait)  # what the store asked, then a turn among this process's calls
                self._pace(action)
                response = self._attempt(method, url, params, body, action, self.auth_style)
        if not 200 <= response.status_code < 300:
            raise self._redact(errors.from_response(response, action))
        return response

    def _attempt(self, method, url, params, body, action, style) -> requests.Response:
        name, scheme = STYLES[style]
        headers = {name: f"{scheme} {self.access_token}", "User-Agent": self.config.user_agent,
                   "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = self.http.request(method, url, params=params, json=body, headers=headers,
                                         timeout=self.config.timeout, allow_redirects=False)
        except requests.RequestException as exc:
            raise errors.from_exception(exc, self.config.timeout) from None
        rate = parse_rate(response.headers, time.monotonic())
        if rate is not None:
            self.rate = rate
            self.pacer.observe(rate)
            self.spent += response.status_code != 429  # the answer is metered: the request took a drop
        return response

    def _pace(self, action: str) -> None:
        """Wait for this call's turn in the store's bucket; a turn too far off goes back to the engine."""
        wait = self.pacer.reserve(self.config.max_pause)
        if wait > self.config.max_pause:
            raise ConnectorError(errors.RATE_LIMITED, "ShipSync is pacing itself to Tiendanube's rate limit",
                                 retry_after=wait, detail=f"{action}: the store's bucket is full for {wait:.1f} s")
        if wait > 0:
            self._sleep(wait)

    def _json(self, response: requests.Response, action: str):
        if response.status_code == 204 or not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise self._redact(errors.not_json(response, action)) from None

    def _redact(self, exc: ConnectorError) -> ConnectorError:
        for secret in (self.access_token, self.config.client_secret):
            if secret and len(secret) >= 6:
                exc.message = exc.message.replace(secret, "[redacted]")
                exc.detail = exc.detail.replace(secret, "[redacted]") if exc.detail else exc.detail
        exc.args = (exc.message,)
        return exc


def next_link(header: str) -> str | None:
    for url, rel in LINK.findall(header or ""):
        if rel == "next":
            return url
    return None
