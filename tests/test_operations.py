"""What an operator relies on: health, metrics, the CLI, start-up checks."""
from sqlalchemy import text

from tests.helpers import label_payload, make_store, post_label


def test_readyz_reports_database_and_queue(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "queue": "ok"}


def test_healthz_fails_when_the_database_is_unreachable(settings):
    from app import create_app

    broken = create_app(settings.replace(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none"))
    for path in ("/healthz", "/readyz"):
        response = broken.test_client().get(path)
        assert response.status_code == 503 and response.json["database"].startswith("error")


def test_metrics_count_packages_by_status_and_queued_tasks(app, client):
    make_store(app)
    post_label(client, label_payload())
    body = client.get("/metrics").get_data(as_text=True)
    assert 'shipsync_packages{status="pending"} 1.0' in body
    assert 'shipsync_stores{platform="shopify",status="active"} 1.0' in body
    assert "shipsync_queue_pending 1.0" in body  # one task per label: import the new order, then sync


def test_the_migrate_command_brings_a_new_database_up_to_date(tmp_path, settings):
    from app import create_app

    fresh = create_app(settings.replace(database_url=f"sqlite:///{tmp_path / 'new.db'}"))
    result = fresh.test_cli_runner().invoke(args=["migrate"])
    assert result.exit_code == 0 and "up to date" in result.output
    from alembic.script import ScriptDirectory

    import db

    head = ScriptDirectory.from_config(db.alembic_config(settings.database_url)).get_current_head()
    with fresh.extensions["db_engine"].connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head


def test_the_schema_matches_the_models(app):
    """A model change without its Alembic revision fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from models import Base

    with app.extensions["db_engine"].connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_the_log_filter_redacts_formatted_arguments():
    import logging

    from logs import RedactSecrets

    logger = logging.getLogger("shipsync.test")
    handler_filter = RedactSecrets()
    record = logger.makeRecord("shipsync.test", logging.INFO, __file__, 1,
                               "refreshed with refresh_token=%s for %s", ("shprt_abcdef123", "acme"), None)
    handler_filter.filter(record)
    assert "shprt_abcdef123" not in record.getMessage() and "acme" in record.getMessage()
