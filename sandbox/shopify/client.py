"""``RemoteStore``: the control API of a sandbox running in another process, over HTTP.

``RemoteStore("http://127.0.0.1:8001").create_order("acme.myshopify.com", [...])`` answers
what ``ShopifyStore.create_order`` answers in-process.
"""
from __future__ import annotations

import inspect

import requests

from .store import CONTROL_METHODS, ShopifyStore


class SandboxControlError(RuntimeError):
    pass


class RemoteStore:
    def __init__(self, url: str, timeout: float = 30.0, http: requests.Session | None = None):
        self.url, self.timeout = url.rstrip("/"), timeout
        self.http = http or requests.Session()

    def call(self, name: str, **kwargs):
        response = self.http.post(f"{self.url}/_sandbox/{name}", json=kwargs, timeout=self.timeout)
        body = response.json()
        if response.status_code != 200:
            raise SandboxControlError(body.get("error", response.text))
        return body["result"]

    def __getattr__(self, name):
        if name not in CONTROL_METHODS:
            raise AttributeError(name)
        return lambda *args, **kwargs: self.call(name, **_positional(name, args), **kwargs)


def _positional(name: str, args: tuple) -> dict:
    """Map positional arguments onto the in-process method's parameter names."""
    params = [p for p in inspect.signature(getattr(ShopifyStore, name)).parameters if p != "self"]
    return dict(zip(params, args))
