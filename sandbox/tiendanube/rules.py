"""Fulfillment-order state rules (pure): which status may follow which, per shipping type.

Documented: UNPACKED → PACKED → DISPATCHED → DELIVERED; back to UNPACKED only from PACKED;
READY_FOR_PICKUP for pickup only; non-shippable only to DELIVERED. Assumed (the migration
guide replaces ``/fulfill`` by one PATCH to DISPATCHED): UNPACKED straight to DISPATCHED.
A DISPATCHED fulfillment order may get new ``tracking_info`` (a correction, kept in
``tracking_info_history``); a DELIVERED or CANCELLED one is frozen.
"""
from __future__ import annotations

import re

STATUSES = ("UNPACKED", "PACKED", "DISPATCHED", "READY_FOR_PICKUP", "DELIVERED", "CANCELLED")
FLOWS = {
    "ship": {"UNPACKED": {"PACKED", "DISPATCHED"}, "PACKED": {"UNPACKED", "DISPATCHED"},
             "DISPATCHED": {"DELIVERED"}},
    "pickup": {"UNPACKED": {"PACKED", "READY_FOR_PICKUP"}, "PACKED": {"UNPACKED", "READY_FOR_PICKUP"},
               "READY_FOR_PICKUP": {"DELIVERED"}},
    "non-shippable": {"UNPACKED": {"DELIVERED"}, "PACKED": {"DELIVERED"}},
}
FROZEN = {"DELIVERED", "CANCELLED"}
URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
MAX_CODE = 100


def transition_error(shipping_type: str, current: str, wanted: str | None) -> str | None:
    """Why ``current`` may not become ``wanted`` (None when it may)."""
    if current in FROZEN:
        return f"The fulfillment order is {current} and can no longer be changed"
    if wanted is None or wanted == current:
        return None
    if wanted not in FLOWS.get(shipping_type, {}).get(current, set()):
        return f"Invalid status transition from {current} to {wanted} for shipping type {shipping_type}"
    return None


def validation_errors(body: dict) -> dict:
    """Field → messages for a PATCH body (empty when valid)."""
    problems: dict[str, list[str]] = {}
    status = body.get("status")
    if status is not None and status not in STATUSES[:-1]:
        problems["status"] = [f"status must be one of {', '.join(STATUSES[:-1])}"]
    tracking = body.get("tracking_info")
    if tracking is not None:
        if not isinstance(tracking, dict):
            problems["tracking_info"] = ["tracking_info must be an object"]
        else:
            code = tracking.get("code")
            if code is not None and (not isinstance(code, str) or not code.strip() or len(code) > MAX_CODE):
                problems["tracking_info.code"] = [f"code must be a non-empty string of at most {MAX_CODE} characters"]
            url = tracking.get("url")
            if url not in (None, "") and (not isinstance(url, str) or not URL.match(url)):
                problems["tracking_info.url"] = ["url must be a valid http or https URL"]
    notify = body.get("notify_customer", (tracking or {}).get("notify_customer") if isinstance(tracking, dict) else None)
    if notify is not None and not isinstance(notify, bool):
        problems["notify_customer"] = ["notify_customer must be a boolean"]
    return problems
