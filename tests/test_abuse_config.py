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
