"""The pieces the sandbox stores share (sandbox/common/): the control API's common routes,
scripted faults and the webhook delivery queue. Each platform's own behaviour is tested in
its sandbox's tests; these pin what holds for every one of them."""
from __future__ import annotations

import time

import pytest
import requests

from sandbox.common.delivery import DeliveryQueue


def _woo_store(sandbox):
    store = sandbox.create_store()
    return store.name, f"{store.url}/wp-json/wc/v3/orders"


def _tn_store(sandbox):
    store = sandbox.create_store()
    return store.store_id, f"{sandbox.url}/2025-03/{store.store_id}/orders"


# platform: (its sandbox fixture, a store in it, a POST /_sandbox/stores body it must refuse)
SANDBOXES = {
    "woocommerce": ("woo_sandbox", _woo_store, {"backend": "bogus"}),
    # A number for the list of credential headers the store accepts (this used to end in a 500).
    "tiendanube": ("tn_sandbox", _tn_store, {"auth_styles": 5}),
}


@pytest.fixture(params=sorted(SANDBOXES))
def sandbox_store(request):
    """(sandbox, store key, an API URL of the store, a malformed store body), the store removed afterwards."""
    fixture, make, malformed = SANDBOXES[request.param]
    sandbox = request.getfixturevalue(fixture)
    key, api_url = make(sandbox)
    yield sandbox, key, api_url, malformed
    sandbox.remove_store(key)


def test_a_malformed_store_option_is_a_400_and_creates_nothing(sandbox_store):
    sandbox, _key, _url, malformed = sandbox_store
    before = set(sandbox.stores)
    assert requests.post(f"{sandbox.url}/_sandbox/stores", json=malformed, timeout=10).status_code == 400
    assert set(sandbox.stores) == before


def test_faults_are_scripted_read_and_cleared_over_http(sandbox_store):
    sandbox, key, api_url, _malformed = sandbox_store
    control = f"{sandbox.url}/_sandbox/stores/{key}"
    assert requests.post(f"{control}/faults", json={"kind": "503", "count": 2, "method": "get", "unknown": 1},
                         timeout=10).status_code == 201
    assert [f["method"] for f in requests.get(control, timeout=10).json()["faults"]] == ["GET", "GET"]
    assert requests.post(api_url, timeout=10).status_code != 503  # another method: not for these faults
    assert requests.get(api_url, timeout=10).status_code == 503
    assert requests.delete(f"{control}/faults", timeout=10).json() == {"faults": []}
    assert requests.get(api_url, timeout=10).status_code != 503
    assert requests.post(f"{control}/faults", json={"kind": "teapot"}, timeout=10).status_code == 400
    assert requests.get(control, timeout=10).json()["faults"] == []


def test_an_unknown_store_is_a_404_on_every_common_route(sandbox_store):
    sandbox = sandbox_store[0]
    control = f"{sandbox.url}/_sandbox/stores/999999999"
    assert requests.get(control, timeout=10).status_code == 404
    assert requests.post(f"{control}/faults", json={"kind": "503"}, timeout=10).status_code == 404


class _Recorder(DeliveryQueue):
    """Records what it is asked to deliver instead of posting it."""

    def __init__(self):
        super().__init__("test-deliveries")
        self.made: list = []

    def deliver(self, store, *job) -> None:
        self.made.append((store, job))


@pytest.fixture
def recorder():
    queue = _Recorder()  # not started: what is scheduled first is all due when it starts
    yield queue
    queue.stop()


def test_a_delivery_waiting_under_a_key_is_not_queued_twice(recorder):
    store, now = object(), time.monotonic()
    recorder.schedule(now, store, ("first",), coalesce="order-1")
    recorder.schedule(now, store, ("second",), coalesce="order-1")
    recorder.schedule(now, store, ("other",), coalesce="order-2")
    recorder.schedule(now, object(), ("another store",), coalesce="order-1")
    recorder.start()
    assert recorder.wait_idle()
    assert [job for _store, job in recorder.made] == [("first",), ("other",), ("another store",)]
    recorder.schedule(time.monotonic(), store, ("later",), coalesce="order-1")  # made: the key is free again
    assert recorder.wait_idle() and recorder.made[-1] == (store, ("later",))


def test_dropping_a_store_forgets_its_waiting_deliveries(recorder):
    gone, kept, now = object(), object(), time.monotonic()
    recorder.schedule(now, gone, ("lost",), coalesce="order-1")
    recorder.schedule(now, kept, ("kept",))
    recorder.drop(gone)
    recorder.schedule(now, gone, ("after the drop",), coalesce="order-1")
    recorder.start()
    assert recorder.wait_idle()
    assert recorder.made == [(kept, ("kept",)), (gone, ("after the drop",))]
