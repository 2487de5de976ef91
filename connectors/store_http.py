"""The HTTP session for calls to a merchant's own server (a WooCommerce store).

The store URL is whatever a merchant typed, and its DNS can change after connecting
(rebinding): a check at connect time alone would let the worker be pointed at ShipSync's
own network. requests-hardened resolves the host at every connection, refuses private,
loopback, link-local, CG-NAT, NAT64 (``64:ff9b::/96``) and the other special ranges, and
connects to the very address it checked (TLS still verifies the host name).
Local testing (``ALLOW_HTTP_STORES=1``) talks to stores on this machine: no filter then.
"""
from __future__ import annotations

import requests
from requests_hardened import Config, Manager


def store_session(settings) -> requests.Session:
    if settings.allow_http_stores:
        return requests.Session()
    return Manager(Config(ip_filter_enable=True, ip_filter_allow_loopback_ips=False, never_redirect=True,
                          default_timeout=(settings.store_timeout_seconds, settings.store_timeout_seconds))
                   ).get_session()
