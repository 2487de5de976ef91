"""DATABASE_URL as hosting platforms hand it out: postgres://, postgresql:// and postgresql+psycopg://."""
from __future__ import annotations

import pytest
from sqlalchemy import text

import db
from tests.conftest import TEST_DATABASE_URL

SPELLINGS = ("postgres://", "postgresql://", "postgresql+psycopg://")


@pytest.mark.parametrize("scheme", SPELLINGS)
def test_every_postgresql_spelling_uses_the_installed_psycopg_3(scheme):
    engine = db.make_engine(f"{scheme}shipsync:secret@db.example.com:5432/shipsync")
    assert engine.dialect.driver == "psycopg"
    assert engine.url.host == "db.example.com" and engine.url.database == "shipsync"
    assert db.alembic_config(f"{scheme}u@h/d").attributes["database_url"] == "postgresql+psycopg://u@h/d"


def test_sqlite_urls_are_left_alone(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert db.normalize_url(url) == url


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
@pytest.mark.parametrize("scheme", SPELLINGS)
def test_the_app_starts_and_answers_readyz_with_each_spelling(settings, scheme):
    from app import create_app

    url = scheme + TEST_DATABASE_URL.split("://", 1)[1]
    app = create_app(settings.replace(database_url=url))
    with app.extensions["db_engine"].connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
    assert app.test_client().get("/readyz").status_code == 200
    app.extensions["db_engine"].dispose()
