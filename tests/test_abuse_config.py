"""Abuse suite: production refuses to start with settings meant for local testing (issue 8, low)."""
from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from config import SANDBOX_LABEL_WEBHOOK_SECRET, SANDBOX_SHOPIFY_API_SECRET, ConfigError, load_settings

PRODUCTION = {"APP_ENV": "production", "APP_URL": "https://shipsync.example.com", "SECRET_KEY": "s" * 32,
              "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(), "DATABASE_URL": "postgresql://db/shipsync",
              "QUEUE_URL": "redis://queue:6379/0", "SHOPIFY_API_KEY": "key", "SHOPIFY_API_SECRET": "app-secret",
              "LABEL_WEBHOOK_SECRET": "label-secret"}


def test_a_complete_production_configuration_starts():
    assert load_settings(PRODUCTION).production


@pytest.mark.parametrize("change,named", [
    ({"APP_URL": ""}, "APP_URL"),
    ({"APP_URL": "http://shipsync.example.com"}, "APP_URL"),
    ({"ALLOW_HTTP_STORES": "1"}, "ALLOW_HTTP_STORES"),
    ({"LABEL_WEBHOOK_SECRET": SANDBOX_LABEL_WEBHOOK_SECRET}, "LABEL_WEBHOOK_SECRET"),
    ({"SHOPIFY_API_SECRET": SANDBOX_SHOPIFY_API_SECRET}, "SHOPIFY_API_SECRET"),
])
def test_production_refuses_each_unsafe_setting_by_name(change, named):
    with pytest.raises(ConfigError, match=named):
        load_settings({**PRODUCTION, **change})


def test_retention_is_configurable():
    settings = load_settings({"APP_ENV": "test", "WEBHOOK_RETENTION_DAYS": "7", "ATTEMPT_RETENTION_DAYS": "14"})
    assert (settings.receipt_retention_days, settings.attempt_retention_days) == (7, 14)
    assert load_settings({"APP_ENV": "test"}).receipt_retention_days == 30


# A platform's own settings (connectors.platform.Setting) carry the same refusals, so a new
# platform needs no edit of config.py for them.

def _origin(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("must be an origin such as https://host")
    return value.rstrip("/")


def _together(settings) -> None:
    if bool(settings.madeup_app_id) != bool(settings.madeup_secret):
        raise ValueError("MADEUP_APP_ID and MADEUP_SECRET go together: set both or neither")


@pytest.fixture
def madeup_platform(monkeypatch):
    import dataclasses

    import connectors
    from connectors.platform import Setting

    descriptor = dataclasses.replace(connectors.platform("woocommerce"), name="madeup", check_settings=_together,
                                     settings=(Setting("madeup_app_id", "MADEUP_APP_ID", sandbox_value="42"),
                                               Setting("madeup_secret", "MADEUP_SECRET", sandbox_value="published"),
                                               Setting("madeup_origin", "MADEUP_ORIGIN", "https://api.madeup.example",
                                                       kind=_origin, https_in_production=True)))
    monkeypatch.setitem(connectors.PLATFORMS, "madeup", descriptor)
    return descriptor


def test_a_platforms_sandbox_app_is_the_default_outside_production_only(madeup_platform):
    assert (load_settings({"APP_ENV": "test"}).madeup_secret, load_settings(PRODUCTION).madeup_secret) == (
        "published", "")
    configured = load_settings({**PRODUCTION, "MADEUP_APP_ID": "7", "MADEUP_SECRET": "real"})
    assert (configured.madeup_app_id, configured.madeup_secret, configured.madeup_origin) == (
        "7", "real", "https://api.madeup.example")


@pytest.mark.parametrize("change,named", [
    ({"MADEUP_APP_ID": "7", "MADEUP_SECRET": "published"}, "MADEUP_SECRET"),  # the sandbox's secret
    ({"MADEUP_APP_ID": "7", "MADEUP_SECRET": "real", "MADEUP_ORIGIN": "http://127.0.0.1:8003"}, "MADEUP_ORIGIN"),
    ({"MADEUP_APP_ID": "7"}, "MADEUP_SECRET"),  # check_settings
    ({"MADEUP_APP_ID": "7", "MADEUP_SECRET": "real", "MADEUP_ORIGIN": "ftp.example"}, "MADEUP_ORIGIN"),  # kind
])
def test_production_refuses_a_platforms_unsafe_setting_by_name(madeup_platform, change, named):
    with pytest.raises(ConfigError, match=named):
        load_settings({**PRODUCTION, **change})


def test_outside_production_a_platforms_http_origin_is_fine_but_still_checked(madeup_platform):
    assert load_settings({"APP_ENV": "test", "MADEUP_ORIGIN": "http://127.0.0.1:8003/"}).madeup_origin == (
        "http://127.0.0.1:8003")
    with pytest.raises(ConfigError, match="MADEUP_ORIGIN"):
        load_settings({"APP_ENV": "test", "MADEUP_ORIGIN": "api.madeup.example"})


def test_a_platforms_app_credentials_turn_the_sandbox_off(madeup_platform):
    assert load_settings({"APP_ENV": "test"}).sandbox is True
    assert load_settings({"APP_ENV": "test", "MADEUP_APP_ID": "7", "MADEUP_SECRET": "real"}).sandbox is False
