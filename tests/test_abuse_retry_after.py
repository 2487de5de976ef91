"""Abuse suite: a store's Retry-After is whatever it sends (issue 8, low): one parser, capped."""
from __future__ import annotations

from email.utils import formatdate

import pytest

from connectors.retry_after import MAX_WAIT, parse_retry_after
from tests import platform_drivers
from tests.test_sync_retries import send, wait_status


@pytest.mark.parametrize("value,expected", [
    ("30", 30.0), (" 2.5 ", 2.5), ("-5", 0.0), ("99999999", MAX_WAIT), ("1e400", MAX_WAIT), ("inf", MAX_WAIT),
    ("nan", None), ("soon", None), ("", None), (None, None), ("Mon, 99 Foo 2026 99:99:99 GMT", None),
    ("9" * 500, None), (formatdate(1_000_060, usegmt=True), 60.0), (formatdate(999_000, usegmt=True), 0.0),
])
def test_one_parser_for_every_platform(value, expected):
    assert parse_retry_after(value, now=1_000_000) == (pytest.approx(expected) if expected else expected)


@pytest.mark.parametrize("header,status,wait", [("soon", "synced", 1.5), ("Thu, 99 Zzz 9999 99:99:99 GMT", "synced", 1.5),
                                                ("1e400", "retrying", MAX_WAIT)])
def test_a_garbage_or_huge_retry_after_from_shopify_never_leaves_a_package_syncing(
        request, app, client, worker, header, status, wait):
    """Garbage is no hint (the policy's back-off applies); a huge wait is capped at an hour."""
    driver = platform_drivers.load("shopify").retry_driver(request, app, client)
    order = driver.new_order()
    driver.fault("429", retry_after=header)
    send(client, driver.label(order))
    row = wait_status(app, status)
    assert (row.attempt_log[0].cause, row.attempt_log[0].wait_seconds) == ("rate_limited", wait)
