"""Operator endpoints: /healthz for load balancers, /metrics for Prometheus."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify
from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select, text

from db import get_session
from models import Package, Store
from sync import queue

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    checks = {}
    try:
        get_session().execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy; the type is in the answer
        checks["database"] = f"error: {type(error).__name__}"
    try:
        queue.ping()
        checks["queue"] = "ok"
    except Exception as error:  # noqa: BLE001
        checks["queue"] = f"error: {type(error).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return jsonify(status="ok" if healthy else "unavailable", **checks), 200 if healthy else 503


@bp.get("/metrics")
def metrics():
    """Read from the database at scrape time, so every web and worker process agrees."""
    registry = CollectorRegistry()
    packages = Gauge("shipsync_packages", "Packages by sync status", ["status"], registry=registry)
    stores = Gauge("shipsync_stores", "Stores by platform and status", ["platform", "status"], registry=registry)
    queued = Gauge("shipsync_queue_pending", "Tasks waiting in the queue", registry=registry)
    session = get_session()
    for status, count in session.execute(select(Package.status, func.count()).group_by(Package.status)):
        packages.labels(status).set(count)
    for platform, status, count in session.execute(
            select(Store.platform, Store.status, func.count()).group_by(Store.platform, Store.status)):
        stores.labels(platform, status).set(count)
    queued.set(queue.huey.pending_count())
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
