"""Helpers for the app-side Tiendanube tests: the queue's pending work, a signed delivery."""
from __future__ import annotations

import json


def pending_tasks() -> list[tuple[str, tuple]]:
    from sync import queue

    return [(task.name, tuple(task.args)) for task in queue.huey.pending()]


def post_tiendanube_webhook(client, payload: dict | bytes, secret: str | None = None, signature: str | None = None):
    """A delivery as Tiendanube sends it: hex HMAC-SHA256 of the raw body with the client secret."""
    from connectors.tiendanube.webhooks import sign

    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    secret = secret or client.application.config["SETTINGS"].tiendanube_client_secret
    return client.post("/webhooks/tiendanube", data=body, content_type="application/json",
                       headers={"x-linkedstore-hmac-sha256": signature or sign(secret, body),
                                "User-Agent": "Tiendanube webhooks"})
