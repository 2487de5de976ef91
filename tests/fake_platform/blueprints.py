"""The fake platform's app-facing module: its sign-in start and its webhook receiver.

Only the app layer imports this (``Platform.app_modules``): it uses the app's services.
The receiver keeps only what is the platform's own — the signature check and the map of
topics to handlers — and receives through the shared skeleton and order policy.
"""
from __future__ import annotations

import hashlib
import hmac
import json

from flask import Blueprint, jsonify, redirect, request

from db import get_session
from stores import find_store
from webhooks import orders
from webhooks.delivery import Refused, Source, receive

from .sandbox import APP_SECRET

auth_bp = Blueprint("fake_auth", __name__, url_prefix="/auth/fake")
webhook_bp = Blueprint("fake_webhooks", __name__)
SOURCE = Source("fake", repeat=lambda _earlier: (jsonify(duplicate=True), 200))
HANDLERS = {"order/created": orders.order_created, "order/cancelled": orders.order_cancelled}


@auth_bp.get("")
def start():
    return redirect(request.args.get("store", "/"))


@webhook_bp.post("/webhooks/fake")
def receive_webhook():
    body = request.get_data(cache=True)
    expected = hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers.get("X-Fake-Signature", "")):
        return jsonify(error="invalid X-Fake-Signature"), 401
    payload = json.loads(body)
    handler = HANDLERS.get(payload.get("event"))
    if handler is None:
        return jsonify(ignored=payload.get("event")), 200
    session = get_session()

    def find():
        store = find_store(session, "fake", payload["store"])
        if store is None:
            raise Refused(200, {"ignored": "unknown store"})
        return store

    key = hashlib.sha256(body).hexdigest()  # the fake platform sends no delivery id: the content is it
    return receive(session, SOURCE, key, payload["event"], find, handler, payload)


# ``Platform.app_modules`` names modules exporting one ``bp``: this one nests both.
bp = Blueprint("fake_platform", __name__)
bp.register_blueprint(auth_bp)
bp.register_blueprint(webhook_bp)
