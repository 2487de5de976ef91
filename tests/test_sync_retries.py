"""The retry and cause suite of DESIGN §1, run against every registered platform's sandbox store.

Each platform's tests/<platform>/driver.py (tests/platform_drivers.py) makes an order, scripts
a fault and reads back the tracking the store holds; the tests themselves name no platform,
like the sync engine.
"""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from models import Package
from tests import platform_drivers
from tests.helpers import post_label, wait_for


@pytest.fixture(params=platform_drivers.with_hook("retry_driver"))
def platform(request, app, client, worker) -> platform_drivers.RetryDriver:
    return platform_drivers.load(request.param).retry_driver(request, app, client)


def package(app, external_id="PKG-1") -> Package | None:
    with app.extensions["db_sessionmaker"]() as session:
        row = session.scalar(select(Package).where(Package.external_id == external_id))
        if row is not None:
            row.attempt_log  # loaded before the session closes
        return row


def wait_status(app, status, external_id="PKG-1", timeout=30.0) -> Package:
    return wait_for(lambda: (p := package(app, external_id)) is not None and p.status == status and p,
                    timeout=timeout, message=f"{external_id} {status}")


def spacing(row: Package) -> list[float]:
    """Seconds between the ends of consecutive attempts (each ends at least its wait after the last)."""
    ends = [a.finished_at for a in row.attempt_log]
    return [(later - earlier).total_seconds() for earlier, later in zip(ends, ends[1:])]


def send(client, payload):
    response = post_label(client, payload)
    assert response.status_code == 202, response.json
    return response


def test_a_label_is_written_once_and_a_repeat_adds_nothing(app, client, platform):
    order = platform.new_order()
    send(client, platform.label(order))
    row = wait_status(app, "synced")
    assert platform.tracking(order) == ["1Z999AA10123456784"] and row.attempts == 1
    assert post_label(client, platform.label(order)).status_code == 200
    time.sleep(0.5)
    assert platform.tracking(order) == ["1Z999AA10123456784"]


def test_two_503s_then_success_is_synced_on_the_third_attempt_spaced_out(app, client, platform):
    order = platform.new_order()
    platform.fault("503", count=2)
    send(client, platform.label(order))
    row = wait_status(app, "synced")
    assert row.attempts == 3
    assert [(a.outcome, a.cause, a.http_status) for a in row.attempt_log] == [
        ("retry", "store_server", 503), ("retry", "store_server", 503), ("synced", None, None)]
    first_wait, second_wait = spacing(row)
    assert first_wait >= 1.5 and second_wait >= 3.0
    assert platform.tracking(order) == ["1Z999AA10123456784"]


def test_three_503s_require_sync_and_a_manual_sync_then_succeeds(app, client, platform):
    order = platform.new_order()
    platform.fault("503", count=3)
    send(client, platform.label(order))
    row = wait_status(app, "requires_sync")
    assert (row.attempts, row.last_cause, row.last_http_status) == (3, "store_server", 503)
    assert platform.tracking(order) == []
    detail = client.get(f"/api/orders/{row.order_id}", headers=platform.api_headers).json
    assert detail["requires_sync"] is True and detail["packages"][0]["error"]["cause"] == "store_server"
    assert detail["packages"][0]["error"]["fix"]
    assert client.post(f"/api/orders/{row.order_id}/sync", headers=platform.api_headers).status_code == 202
    assert wait_status(app, "synced").attempts == 1
    assert platform.tracking(order) == ["1Z999AA10123456784"]


def test_a_retry_after_longer_than_the_backoff_is_honoured(app, client, platform):
    order = platform.new_order()
    platform.fault("429", retry_after=4)
    send(client, platform.label(order))
    row = wait_status(app, "synced")
    assert [(a.cause, a.wait_seconds) for a in row.attempt_log[:1]] == [("rate_limited", 4.0)]
    assert spacing(row)[0] >= 4.0


def test_a_lost_response_leaves_exactly_one_write(app, client, platform):
    order = platform.new_order()
    platform.fault("lost_response", seconds=3, on_write=True)
    send(client, platform.label(order))
    row = wait_status(app, "synced")
    if platform.reads_back_lost_writes:
        assert row.attempts == 1  # read back at once: written means done
    else:
        assert row.attempts == 2 and row.attempt_log[0].cause == "connection"
    assert platform.tracking(order) == ["1Z999AA10123456784"]


def test_a_timeout_is_a_connection_problem_and_retried(app, client, platform):
    order = platform.new_order()
    platform.fault("timeout", seconds=3)
    send(client, platform.label(order))
    row = wait_status(app, "synced")
    assert row.attempt_log[0].cause == "connection" and row.attempts == 2
