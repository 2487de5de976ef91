"""ShipSync: the application factory, and the CLI commands of the web and worker processes.

Importing this module does nothing; ``create_app()`` builds everything (gunicorn:
``gunicorn 'app:create_app()'``, flask: ``flask --app app …``).
"""
from __future__ import annotations

import dataclasses
from datetime import timedelta

import click
from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

import db
import headers
import locales
import logs
import nul_characters
from config import Settings, load_settings
from crypto import TokenCipher


@dataclasses.dataclass
class Services:
    """What the blueprints and tasks share, built once per app."""

    settings: Settings
    cipher: TokenCipher
    sync_engine: object  # sync.engine.SyncEngine (not SQLAlchemy's engine: that is db's)
    sync_service: object  # sync.service.SyncService
    queue: object  # sync.tasks.TaskQueue


def create_app(settings: Settings | None = None, http=None) -> Flask:
    """Build the app. ``http`` is an optional requests.Session for every store call (tests, benchmarks)."""
    from flask_babel import Babel

    from sync import queue, tasks
    from sync.engine import SyncEngine
    from sync.rate_budget import RateBudget
    from sync.shared_buckets import buckets_for
    from sync.service import SyncService

    settings = settings or load_settings()
    logs.configure_logging()
    app = Flask(__name__)
    app.config.update(
        SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        SESSION_COOKIE_SECURE=settings.production,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        PREFERRED_URL_SCHEME="https" if settings.production else "http",
    )
    db_engine = db.make_engine(settings.database_url)
    db.init_app(app, db_engine)
    sessionmaker = app.extensions["db_sessionmaker"]
    cipher = TokenCipher(settings.token_encryption_key)
    queue.configure(settings.queue_url)
    budget = RateBudget(buckets_for(settings.queue_url, sessionmaker))  # one per store, shared by all workers
    sync_engine = SyncEngine(sessionmaker, cipher, settings, http=http, budget=budget)
    task_queue = tasks.TaskQueue()
    app.extensions["shipsync"] = Services(settings, cipher, sync_engine,
                                          SyncService(sessionmaker, sync_engine, task_queue), task_queue)
    tasks.init_app(app)
    Babel(app, locale_selector=locales.select_locale)

    _register_blueprints(app)
    headers.init_app(app)
    nul_characters.init_app(app)
    _register_errors(app)
    _register_commands(app)
    return app


def _register_blueprints(app: Flask) -> None:
    import importlib

    from admin import api, health, metrics, order_link, pages
    from connectors import PLATFORMS
    from webhooks import labels

    for blueprint in (labels.bp, api.bp, health.bp, metrics.bp, order_link.bp, pages.bp):
        app.register_blueprint(blueprint)
    metrics.init_app(app)
    # Each platform's sign-in/install and webhook blueprints, named by its descriptor. Only
    # this layer imports them (they use the app's services); a missing one is an error.
    for descriptor in PLATFORMS.values():
        for module_name in descriptor.app_modules:
            app.register_blueprint(importlib.import_module(module_name).bp)


def _register_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def json_errors(error: HTTPException):
        """API and webhook callers get JSON with a message that says what went wrong."""
        if request.path.startswith(("/api/", "/webhooks/", "/auth/woocommerce/callback")):
            return jsonify(error=error.description), error.code
        return error

    @app.errorhandler(RecursionError)
    def too_deep(_error):
        """JSON nested deeper than the parser's recursion limit: bad input, not a server fault."""
        return jsonify(error="the body is nested too deeply"), 400


def _register_commands(app: Flask) -> None:
    import cli

    cli.register(app)

    @app.cli.command("migrate")
    def migrate_command():
        """Bring the database schema up to date."""
        db.migrate(app.config["SETTINGS"].database_url)
        click.echo("database is up to date")

    @app.cli.command("worker")
    @click.option("--workers", default=4, show_default=True, help="worker threads")
    def worker_command(workers: int):
        """Run the queue consumer (the Procfile's worker process)."""
        import sqlite_engine
        from sync import queue

        sqlite_engine.give_way_to_requests()  # on SQLite, a label's write goes before a sync's
        requeued = app.extensions["shipsync"].sync_service.requeue_stuck(grace=timedelta(0))
        click.echo(f"worker starting; re-queued {requeued} unfinished package(s)")
        # A short polling ceiling: the SQLite queue is polled, and a label should not wait 10 s.
        queue.huey.create_consumer(workers=workers, worker_type="thread", periodic=True,
                                   initial_delay=0.05, max_delay=1.0).run()

    @app.cli.command("reconcile")
    def reconcile_command():
        """Re-queue lost tasks now, and queue a reconciliation of every active store."""
        from sync import tasks

        service = app.extensions["shipsync"].sync_service
        click.echo(f"re-queued {service.requeue_stuck()} package(s)")
        for store_id in service.active_store_ids():
            tasks.reconcile_store(store_id)
        click.echo(f"queued reconciliation of {len(service.active_store_ids())} store(s)")

    @app.cli.command("purge")
    @click.option("--receipts-days", type=int, default=None, help="keep webhook receipts this many days "
                                                                   "[default: WEBHOOK_RETENTION_DAYS, 30]")
    @click.option("--attempts-days", type=int, default=None, help="keep sync attempts this many days "
                                                                   "[default: ATTEMPT_RETENTION_DAYS, 90]")
    def purge_command(receipts_days: int | None, attempts_days: int | None):
        """Delete old webhook receipts and old sync attempts (the worker also does it daily)."""
        from sync.retention import purge

        settings = app.config["SETTINGS"]
        receipts, attempts = purge(app.extensions["db_sessionmaker"],
                                   settings.receipt_retention_days if receipts_days is None else receipts_days,
                                   settings.attempt_retention_days if attempts_days is None else attempts_days)
        click.echo(f"purged {receipts} webhook receipt(s) and {attempts} sync attempt(s)")
