"""The one place that talks HTTP to a WooCommerce store.

``StoreClient._send`` alone holds the HTTP client: it signs (see ``signing``), puts a
timeout on every call, never follows redirects, and turns every failure into a
``ConnectorError`` through the ``errors`` table. Everything above it sees decoded JSON.
"""
from __future__ import annotations

import dataclasses
import json
from urllib.parse import quote, urlencode, urlsplit

import requests

from connectors.base import Credentials
from connectors.woocommerce import signing
from connectors.woocommerce.errors import map_error, map_exception, parse_json

USER_AGENT = "ShipSync/1.0 (+WooCommerce REST API)"
MAX_PAGES = 200  # 20,000 orders at 100 a page: a safety stop, not a limit anyone should meet


@dataclasses.dataclass(frozen=True)
class Answer:
    status: int
    data: object
    headers: dict


class StoreClient:
    """REST calls to one store. ``route`` is what follows ``/wp-json/``, e.g. ``wc/v3/orders/14``."""

    def __init__(self, store_url: str, credentials: Credentials, *, timeout: float, auth_mode: str | None = None,
                 home_url: str | None = None, http: requests.Session | None = None):
        self.store_url = store_url.rstrip("/")
        self.credentials = credentials
        self.timeout = timeout
        self.auth_mode = signing.usable_auth_mode(self.store_url, auth_mode)
        self.home_url = home_url
        self.http = http or requests.Session()
        self._index = None

    @property
    def needs_home_url(self) -> bool:
        return self.auth_mode in (signing.OAUTH, signing.OAUTH_HEADER) and not self.home_url

    def index(self) -> dict:
        """The site's ``GET /wp-json/`` (public): its home URL and REST namespaces, read once.

        ``_fields`` keeps it small (a full index lists every route: half a megabyte on a
        real store); a store that ignores ``_fields`` simply answers more.
        """
        if self._index is None:
            # Security plugins often close the REST index to anonymous callers (a 401/403
            # JSON error): that says nothing about our keys, so detection goes on without it.
            data = self._send("GET", "", params=[("_fields", "home,namespaces")], auth=False,
                              json_errors_ok=(401, 403)).data
            self._index = data if isinstance(data, dict) and "code" not in data else {}
            self.home_url = self.home_url or _home(self._index, self.store_url)
        return self._index

    def forget_index(self) -> None:
        """Read the index afresh next time (the store's plugins may have changed)."""
        self._index = None

    def get(self, route: str, params=None):
        return self._send("GET", route, params=params).data

    def post(self, route: str, body: dict):
        return self._send("POST", route, body=body).data

    def put(self, route: str, body: dict):
        return self._send("PUT", route, body=body).data

    def delete(self, route: str, params=None):
        return self._send("DELETE", route, params=params).data

    def get_all(self, route: str, params=None, per_page: int = 100):
        """Every page of a collection, following ``X-WP-TotalPages``."""
        page = 1
        while page <= MAX_PAGES:
            answer = self._send("GET", route, params=list(params or []) + [("per_page", str(per_page)),
                                                                        ("page", str(page))])
            items = answer.data if isinstance(answer.data, list) else []
            yield from items
            total_pages = _int(answer.headers.get("X-WP-TotalPages"))
            if not items or (total_pages is not None and page >= total_pages) or (
                    total_pages is None and len(items) < per_page):
                return
            page += 1

    def _send(self, method: str, route: str, *, params=None, body: dict | None = None, auth: bool = True,
              json_errors_ok: tuple = ()) -> Answer:
        """One request; returns the decoded JSON answer or raises ConnectorError (never anything else).

        ``json_errors_ok``: statuses whose JSON error body is returned instead of raised."""
        what = f"{method} {route or '/wp-json/'}"
        if auth and self.needs_home_url:
            self.index()  # over http the signature needs the store's home URL
        url = f"{self.store_url}/wp-json/{route}"
        query = [(str(k), str(v)) for k, v in (params or [])]
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if auth:
            query, headers = self._authenticate(method, url, query, headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"
        full_url = f"{url}?{urlencode(query, quote_via=quote)}" if query else url
        try:
            response = self.http.request(method, full_url, data=data, headers=headers,
                                         timeout=self.timeout, allow_redirects=False)
        except requests.RequestException as error:
            raise map_exception(error, what, self.timeout) from None
        content = response.content
        decoded = parse_json(content)
        if decoded is None or not (200 <= response.status_code < 300 or response.status_code in json_errors_ok):
            raise map_error(response.status_code, response.headers, content, what)
        return Answer(response.status_code, decoded, dict(response.headers))

    def _authenticate(self, method, url, query, headers):
        key, secret = self.credentials.access_token, self.credentials.consumer_secret or ""
        if self.auth_mode == signing.BASIC:
            return query, {**headers, "Authorization": signing.basic_auth_header(key, secret)}
        if self.auth_mode == signing.QUERY:
            return query + [("consumer_key", key), ("consumer_secret", secret)], headers
        oauth = signing.oauth_parameters(method, signing.signing_url(url, self.store_url, self.home_url),
                                         query, key, secret)
        if self.auth_mode == signing.OAUTH_HEADER:
            return query, {**headers, "Authorization": signing.oauth_header(oauth)}
        return query + oauth, headers


def _home(index: dict, fallback: str) -> str:
    home = index.get("home") if isinstance(index, dict) else None
    if isinstance(home, str) and urlsplit(home).scheme in ("http", "https") and urlsplit(home).netloc:
        return home.rstrip("/")
    return fallback


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
