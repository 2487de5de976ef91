"""Abuse suite: a store URL pointing into ShipSync's own network (issue 8, medium 4).

The check happens at every connection, on the resolved address (DNS rebinding: a host that
was public at connect time resolves to a private address later), and the merchant sees one
neutral message whatever failed, so a store URL cannot be used as a port scanner.
"""
from __future__ import annotations

import socket

import pytest
import requests
from requests_hardened.ip_filter import InvalidIPAddress
from sqlalchemy import select

from connectors.store_http import store_session
from models import Package
from tests.fixtures_woocommerce import make_woo_store
from tests.helpers import label_payload, post_label, wait_for


@pytest.fixture
def listener():
    """A local TCP port that counts connections: ShipSync must never reach it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def _accepted(server) -> bool:
    try:
        server.accept()[0].close()
        return True
    except BlockingIOError:
        return False


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.5", "169.254.169.254", "100.64.0.1", "[::1]",
                                     "[64:ff9b::a00:5]", "[::ffff:127.0.0.1]", "[fd00::1]", "0.0.0.0"])
def test_the_store_session_refuses_special_addresses_before_connecting(settings, address):
    session = store_session(settings.replace(allow_http_stores=False))
    with pytest.raises((InvalidIPAddress, requests.ConnectionError)):
        session.get(f"https://{address}:9/wp-json/", timeout=2)


def test_a_store_host_that_now_resolves_to_loopback_is_never_called_by_the_worker(app, client, worker, listener):
    """``localhost`` stands for a public host whose DNS was rebound after connecting."""
    app.config["SETTINGS"] = app.extensions["shipsync"].settings = app.config["SETTINGS"].replace(
        allow_http_stores=False)
    app.extensions["shipsync"].sync_engine.settings = app.config["SETTINGS"]
    url = f"https://localhost:{listener.getsockname()[1]}"
    make_woo_store(app, url)
    post_label(client, label_payload(platform="woocommerce", store=url, order_id="14"))

    def failed():
        with app.extensions["db_sessionmaker"]() as session:
            package = session.scalar(select(Package))
            return package if package and package.last_cause == "connection" else None
    package = wait_for(failed, message="the sync attempt refused")
    assert not _accepted(listener)
    assert package.last_message.startswith("Could not reach the store")
    for secret_detail in ("InvalidIPAddress", "127.0.0.1", "refused", "timed out", "SSL"):
        assert secret_detail not in package.last_message


def test_refused_timeout_and_tls_failures_look_the_same_to_the_merchant():
    from connectors.woocommerce.errors import map_exception

    messages = {map_exception(error, "GET wc/v3/orders/14", 10).message
                for error in (requests.ConnectTimeout("x"), requests.ReadTimeout("x"), requests.ConnectionError("x"),
                              requests.exceptions.SSLError("x"), InvalidIPAddress("10.0.0.1"))}
    assert len(messages) == 1
