"""Operator endpoints: /healthz (the whole service, worker included) and /readyz (this web
process can serve: database and queue reachable). /metrics is in admin/metrics.py."""
from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from db import get_session
from sync import heartbeat, queue

bp = Blueprint("health", __name__)


def _dependencies() -> dict:
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
    return checks


def _answer(checks: dict, extra: dict | None = None):
    healthy = all(v == "ok" for v in checks.values())
    return jsonify(status="ok" if healthy else "unavailable", **checks, **(extra or {})), 200 if healthy else 503


@bp.get("/readyz")
def readyz():
    """Kubernetes' readiness: this process can answer (a stopped worker does not stop the web)."""
    return _answer(_dependencies())


@bp.get("/healthz")
def healthz():
    """The service as a whole: 503 with the reason when the worker's heartbeat or the queue's
    lag is older than two minutes (labels would be accepted but not synchronized)."""
    checks = _dependencies()
    extra = {}
    if checks["queue"] == "ok":
        worker = heartbeat.worker_health()
        problems = worker.problems()
        checks["worker"] = "ok" if not problems else "error: " + "; ".join(problems)
        extra = {"heartbeat_age_seconds": None if worker.heartbeat_age is None else round(worker.heartbeat_age, 1),
                 "queue_lag_seconds": round(worker.queue_lag, 1)}
    else:
        checks["worker"] = "unknown: the queue is unreachable"
    return _answer(checks, extra)
