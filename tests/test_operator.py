"""The operator's night: /healthz with the worker's heartbeat and queue lag, /metrics, the CLI,
and one WARNING line for a store needing re-authorization."""
from __future__ import annotations

import logging
import time

from cryptography.fernet import Fernet
from sqlalchemy import select, update

from models import Package, Store, SyncAttempt, utcnow
from sync import heartbeat
from tests.helpers import label_payload, make_store, post_label, wait_for


# -- /healthz ------------------------------------------------------------------------------
def test_healthz_fails_with_the_reason_until_a_worker_has_a_heartbeat(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "no worker heartbeat" in response.json["worker"]
    assert client.get("/readyz").status_code == 200  # this web process itself can serve


def test_healthz_is_ok_once_the_workers_heartbeat_and_probe_ran(app, client, worker):
    from sync import tasks

    tasks.heartbeat()  # what the worker's scheduler enqueues every minute
    wait_for(lambda: client.get("/healthz").status_code == 200, message="a healthy worker")
    body = client.get("/healthz").json
    assert body["worker"] == "ok" and body["heartbeat_age_seconds"] < 60 and body["queue_lag_seconds"] < 60


def test_healthz_fails_when_the_heartbeat_is_stale(app, client):
    heartbeat.beat(now=time.time() - 300)
    response = client.get("/healthz")
    assert response.status_code == 503 and "heartbeat is 30" in response.json["worker"]


def test_healthz_fails_when_queued_work_waits_too_long(app, client):
    heartbeat.beat()
    heartbeat.probe_answered(sent=time.time() - 150)
    response = client.get("/healthz")
    assert response.status_code == 503 and "waits 150 s" in response.json["worker"]
    heartbeat.probe_answered(sent=time.time())
    assert client.get("/healthz").status_code == 200


# -- /metrics ------------------------------------------------------------------------------
def test_every_series_is_present_at_zero(client):
    body = client.get("/metrics").get_data(as_text=True)
    for line in ('shipsync_sync_attempts{cause="rate_limited",outcome="retry"} 0.0',
                 'shipsync_sync_attempts{cause="none",outcome="tracking_updated"} 0.0',
                 'shipsync_stores{platform="woocommerce",status="reauth_required"} 0.0',
                 'shipsync_packages{status="requires_sync"} 0.0',
                 'shipsync_label_requests_total{status="202"} 0.0',
                 'shipsync_label_request_seconds_bucket{le="0.05"} 0.0',
                 'shipsync_label_request_seconds_count 0.0',
                 'shipsync_oldest_pending_package_seconds 0.0'):
        assert line in body, line


def test_metrics_count_label_requests_attempts_and_the_oldest_waiting_package(app, client, db_session):
    make_store(app)
    assert post_label(client, label_payload()).status_code == 202
    assert post_label(client, label_payload(), secret="wrong").status_code == 401
    package = db_session.scalar(select(Package))
    db_session.add_all([SyncAttempt(package_id=package.id, outcome="retry", cause="store_server"),
                        SyncAttempt(package_id=package.id, outcome="retry", cause="store_server"),
                        SyncAttempt(package_id=package.id, outcome="synced")])
    db_session.execute(update(Package).values(created_at=utcnow().replace(microsecond=0) - _minutes(5)))
    db_session.commit()
    body = client.get("/metrics").get_data(as_text=True)
    assert 'shipsync_label_requests_total{status="202"} 1.0' in body
    assert 'shipsync_label_requests_total{status="401"} 1.0' in body
    assert "shipsync_label_request_seconds_count 2.0" in body
    assert 'shipsync_sync_attempts{cause="store_server",outcome="retry"} 2.0' in body
    assert 'shipsync_sync_attempts{cause="none",outcome="synced"} 1.0' in body
    oldest = next(line for line in body.splitlines() if line.startswith("shipsync_oldest_pending_package_seconds "))
    assert 299 <= float(oldest.split()[1]) < 400


def _minutes(n):
    from datetime import timedelta

    return timedelta(minutes=n)


def test_metrics_can_require_a_token(settings):
    from app import create_app

    client = create_app(settings.replace(metrics_token="scrape-me")).test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
    answer = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert answer.status_code == 200 and b"shipsync_packages" in answer.data


# -- CLI -----------------------------------------------------------------------------------
def test_the_stores_command_lists_stores_with_their_status(app, runner, client):
    make_store(app)
    make_store(app, platform="woocommerce", domain="https://shop.example.com", status="reauth_required")
    post_label(client, label_payload())
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        session.execute(update(Package).values(status="requires_sync"))
    result = runner.invoke(args=["stores"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any("shopify" in line and "active" in line and "acme.myshopify.com" in line and " 1 " in line
               for line in lines)
    assert any("woocommerce" in line and "reauth_required" in line and "https://shop.example.com" in line
               for line in lines)
    assert "2 store(s)" in result.output


def test_the_sync_command_synchronizes_one_order_or_a_whole_store(app, runner, client):
    from sync import queue

    make_store(app)
    post_label(client, label_payload(order_id="5001", package_id="PKG-1"))
    post_label(client, label_payload(order_id="5002", package_id="PKG-2", tracking="1ZSECOND"))
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        session.execute(update(Package).values(status="requires_sync", last_cause="store_server"))
    queue.huey.storage.flush_queue()

    one = runner.invoke(args=["sync", "--store", "acme.myshopify.com", "--order", "5001"])
    assert one.exit_code == 0 and "queued 1 package(s) of order 5001" in one.output
    with app.extensions["db_sessionmaker"]() as session:
        assert dict(session.execute(select(Package.external_id, Package.status)).all()) == {
            "PKG-1": "pending", "PKG-2": "requires_sync"}
    assert queue.huey.pending_count() == 1

    everything = runner.invoke(args=["sync", "--store", "1"])
    assert everything.exit_code == 0 and "queued the synchronization of acme.myshopify.com" in everything.output
    with app.extensions["db_sessionmaker"]() as session:
        assert set(session.scalars(select(Package.status))) == {"pending"}

    unknown = runner.invoke(args=["sync", "--store", "nowhere.myshopify.com"])
    assert unknown.exit_code == 2 and "no store" in unknown.output
    missing = runner.invoke(args=["sync", "--store", "1", "--order", "999"])
    assert missing.exit_code == 2 and "has no order" in missing.output


def test_rotate_keys_re_encrypts_credentials_under_the_newest_key(app, settings):
    from app import create_app
    from stores import store_access

    old, new = settings.token_encryption_key, Fernet.generate_key().decode()
    make_store(app, access_token="shpat_secret")
    rotating = create_app(settings.replace(token_encryption_key=f"{new},{old}"))
    result = rotating.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code == 0 and "1 store(s)" in result.output
    only_new = create_app(settings.replace(token_encryption_key=new))
    with only_new.extensions["db_sessionmaker"]() as session:
        store = session.scalar(select(Store))
        assert store_access(store, only_new.extensions["shipsync"].cipher).credentials.access_token == "shpat_secret"
        assert "shpat_secret" not in store.credentials_encrypted


# -- logs ----------------------------------------------------------------------------------
def test_a_store_needing_reauthorization_logs_one_warning_and_no_traceback(app, caplog, shopify_store):
    from sync import tasks

    shopify_store.create_shop("acme.myshopify.com")
    store_id = make_store(app, access_token="shpat_revoked")  # Shopify answers 401, no refresh token
    caplog.set_level(logging.INFO)
    for _ in range(2):
        tasks.import_order.call_local(store_id, "5001")  # an expected state, not a failure
    with app.extensions["db_sessionmaker"]() as session:
        assert session.get(Store, store_id).status == "reauth_required"
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.levelname for r in warnings] == ["WARNING"]
    assert "needs re-authorization" in warnings[0].getMessage()
    assert not any(r.exc_info for r in caplog.records)



def test_store_tasks_for_a_store_erased_while_they_waited_end_quietly(app, caplog):
    """An uninstall's redaction erases the store; its queued set-up and reconciliation find
    nothing to work on and stop with one line, not a traceback."""
    from sync import tasks

    store_id = make_store(app)
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        session.delete(session.get(Store, store_id))
    caplog.set_level(logging.INFO)
    assert tasks.set_up_store.call_local(store_id) is None
    assert tasks.reconcile_store.call_local(store_id) is None
    assert tasks.routing_complete.call_local(store_id, "gid://shopify/FulfillmentOrder/1") is None
    assert [r.getMessage().split(" skipped")[0] for r in caplog.records if "was erased" in r.getMessage()] == [
        f"set_up_store({store_id},)", f"reconcile_store({store_id},)",
        f"routing_complete({store_id}, 'gid://shopify/FulfillmentOrder/1')"]

# -- settings ------------------------------------------------------------------------------
def test_operator_settings_come_from_the_environment_and_are_checked():
    import pytest

    from config import ConfigError, load_settings

    base = {"TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(), "SECRET_KEY": "s"}
    settings = load_settings({**base, "METRICS_TOKEN": "t", "DIGEST_ENABLED": "1", "SMTP_HOST": "mail.example.com",
                              "SMTP_PORT": "2525", "DIGEST_HOUR": "6", "DIGEST_TO": "ops@example.com"})
    assert (settings.metrics_token, settings.digest_enabled, settings.smtp_port, settings.digest_hour,
            settings.digest_to) == ("t", True, 2525, 6, "ops@example.com")
    assert load_settings(base).digest_enabled is False  # off by default
    with pytest.raises(ConfigError, match="SMTP_HOST"):
        load_settings({**base, "DIGEST_ENABLED": "1"})
    with pytest.raises(ConfigError, match="DIGEST_HOUR"):
        load_settings({**base, "DIGEST_HOUR": "24"})
