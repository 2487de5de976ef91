"""GET /metrics (Prometheus text): what the database says at scrape time, plus this web
process's own label-webhook request counts and latencies.

Database series are read at scrape time, so every web process answers the same; they are
gauges (counts of recorded attempts shrink when old attempts are purged). The request
series are per process, like any in-process Prometheus counter. Every series is present at
0 before anything happens, so alerts and dashboards have a line to draw from the start.
With METRICS_TOKEN set, a scrape must send ``Authorization: Bearer <token>``.
"""
from __future__ import annotations

import hmac
import time

from flask import Blueprint, Response, current_app, g, request
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select

from connectors import PLATFORMS
from connectors.base import CAUSES
from db import get_session
from models import (ACTIVE, PACKAGE_STATUSES, PENDING, REAUTH_REQUIRED, RETRYING, UNINSTALLED, Package, Store,
                    SyncAttempt, utcnow)
from sync import causes, queue

bp = Blueprint("metrics", __name__)

LABEL_ENDPOINT = "label_webhooks.receive_label"
STORE_STATUSES = (ACTIVE, REAUTH_REQUIRED, UNINSTALLED)
SUCCESS_OUTCOMES = ("synced", "tracking_updated", "refreshed")
FAILURE_OUTCOMES = ("retry", "failed", "void_failed")
FAILURE_CAUSES = CAUSES + (causes.FULFILLMENT_MISSING,)
LABEL_ANSWERS = ("200", "202", "400", "401", "404", "409", "413", "500")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class LabelRequestMetrics:
    """This process's label-webhook requests: a counter by answer and a latency histogram."""

    def __init__(self):
        self.registry = CollectorRegistry()
        self.requests = Counter("shipsync_label_requests", "Label webhook requests by HTTP status",
                                ["status"], registry=self.registry)
        self.latency = Histogram("shipsync_label_request_seconds", "Label webhook answer time",
                                 buckets=LATENCY_BUCKETS, registry=self.registry)
        for status in LABEL_ANSWERS:
            self.requests.labels(status)

    def observe(self, status: int, seconds: float) -> None:
        self.requests.labels(str(status)).inc()
        self.latency.observe(seconds)


def init_app(app) -> None:
    metrics = app.extensions["shipsync_label_metrics"] = LabelRequestMetrics()

    @app.before_request
    def _start_clock():
        if request.endpoint == LABEL_ENDPOINT:
            g.label_started = time.perf_counter()

    @app.after_request
    def _observe(response):
        started = g.pop("label_started", None)
        if started is not None:
            metrics.observe(response.status_code, time.perf_counter() - started)
        return response


def _authorized() -> bool:
    token = current_app.config["SETTINGS"].metrics_token
    if not token:
        return True
    sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return hmac.compare_digest(sent.encode(), token.encode())


@bp.get("/metrics")
def metrics():
    if not _authorized():
        return Response("metrics need Authorization: Bearer <METRICS_TOKEN>\n", status=401, mimetype="text/plain")
    label_metrics = current_app.extensions["shipsync_label_metrics"]
    body = generate_latest(database_registry(get_session())) + generate_latest(label_metrics.registry)
    return Response(body, mimetype=CONTENT_TYPE_LATEST)


def database_registry(session) -> CollectorRegistry:
    registry = CollectorRegistry()
    packages = Gauge("shipsync_packages", "Packages by sync status", ["status"], registry=registry)
    stores = Gauge("shipsync_stores", "Stores by platform and status", ["platform", "status"], registry=registry)
    attempts = Gauge("shipsync_sync_attempts", "Recorded store calls by outcome and cause",
                     ["outcome", "cause"], registry=registry)
    oldest = Gauge("shipsync_oldest_pending_package_seconds",
                   "How long the longest-waiting package (pending or retrying) has been due", registry=registry)
    queued = Gauge("shipsync_queue_pending", "Tasks waiting in the queue", registry=registry)
    for status in PACKAGE_STATUSES:
        packages.labels(status)
    for platform in PLATFORMS:
        for status in STORE_STATUSES:
            stores.labels(platform, status)
    for outcome in SUCCESS_OUTCOMES:
        attempts.labels(outcome, "none")
    for outcome in FAILURE_OUTCOMES:
        for cause in FAILURE_CAUSES:
            attempts.labels(outcome, cause)

    for status, count in session.execute(select(Package.status, func.count()).group_by(Package.status)):
        packages.labels(status).set(count)
    for platform, status, count in session.execute(
            select(Store.platform, Store.status, func.count()).group_by(Store.platform, Store.status)):
        stores.labels(platform, status).set(count)
    for outcome, cause, count in session.execute(
            select(SyncAttempt.outcome, SyncAttempt.cause, func.count()).group_by(SyncAttempt.outcome,
                                                                                  SyncAttempt.cause)):
        attempts.labels(outcome, cause or "none").set(count)
    due_since = session.scalar(select(func.min(func.coalesce(Package.next_attempt_at, Package.created_at))).where(
        Package.status.in_((PENDING, RETRYING)), Package.voided.is_(False)))
    oldest.set(max(0.0, (utcnow() - due_since).total_seconds()) if due_since else 0)
    queued.set(queue.huey.pending_count())
    return registry
