"""Settings read once from the environment (DESIGN §3).

No other module reads ``os.environ``: the app factory, the worker and the CLI all
receive a ``Settings`` object, and tests build their own.
"""
from __future__ import annotations

import dataclasses
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

INSTANCE_DIR = Path(__file__).resolve().parent / "instance"

# Sandbox app credentials: only ever used against the local sandbox stores.
SANDBOX_SHOPIFY_API_KEY = "sandbox-api-key"
SANDBOX_SHOPIFY_API_SECRET = "sandbox-shopify-api-secret-not-for-production"
SANDBOX_LABEL_WEBHOOK_SECRET = "sandbox-label-webhook-secret-not-for-production"

PRODUCTION_SECRETS = (
    "SECRET_KEY",
    "TOKEN_ENCRYPTION_KEY",
    "DATABASE_URL",
    "QUEUE_URL",
    "SHOPIFY_API_KEY",
    "SHOPIFY_API_SECRET",
    "LABEL_WEBHOOK_SECRET",
)


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names the variable."""


@dataclasses.dataclass(frozen=True)
class Settings:
    app_env: str = "development"
    port: int = 8000
    app_url: str = "http://127.0.0.1:8000"
    secret_key: str = "dev-secret-key"
    token_encryption_key: str = dataclasses.field(
        default_factory=lambda: Fernet.generate_key().decode()
    )
    database_url: str = f"sqlite:///{INSTANCE_DIR / 'shipsync.db'}"
    queue_url: str = f"sqlite:///{INSTANCE_DIR / 'queue.db'}"
    shopify_api_key: str = SANDBOX_SHOPIFY_API_KEY
    shopify_api_secret: str = SANDBOX_SHOPIFY_API_SECRET
    shopify_scopes: str = "read_orders,write_orders,read_merchant_managed_fulfillment_orders,write_merchant_managed_fulfillment_orders,read_assigned_fulfillment_orders,write_assigned_fulfillment_orders"
    shopify_api_version: str = "2026-07"
    shopify_admin_origin: str = "https://{shop}"
    label_webhook_secret: str = SANDBOX_LABEL_WEBHOOK_SECRET
    sync_max_attempts: int = 3
    sync_backoff_seconds: float = 1.5
    sandbox: bool = True
    allow_http_stores: bool = False
    # Not in the stable interface: operational knobs with safe defaults.
    store_timeout_seconds: float = 10.0
    sync_lease_seconds: float = 60.0
    max_body_bytes: int = 1024 * 1024
    metrics_token: str = ""  # when set, /metrics needs "Authorization: Bearer <token>"
    # The daily failure digest e-mail (off by default).
    digest_enabled: bool = False
    digest_hour: int = 7  # UTC hour it is sent
    digest_to: str = ""  # recipient when the store's own contact e-mail is not known
    mail_from: str = "ShipSync <shipsync@localhost>"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    mail_outbox_dir: str = ""  # set: write each e-mail as a .eml file there instead of sending it
    receipt_retention_days: int = 30  # webhook receipts (dedupe, data-request reports)
    attempt_retention_days: int = 90  # the attempt log of packages
    # Settings a platform declares in its descriptor (``Platform.settings``), read as attributes
    # (``settings.<field>``): a new platform's settings need no edit here.
    platform_settings: dict = dataclasses.field(default_factory=dict)

    def __getattr__(self, name: str):
        # Only called for names that are not fields: a platform's own setting, else its default.
        extra = self.__dict__.get("platform_settings") or {}
        if name in extra:
            return extra[name]
        for setting in _platform_settings():
            if setting.field == name:
                return setting.default_for(self.app_env == "production")
        raise AttributeError(name)

    @property
    def production(self) -> bool:
        return self.app_env == "production"

    @property
    def testing(self) -> bool:
        return self.app_env == "test"

    def replace(self, **changes) -> "Settings":
        fields = {field.name for field in dataclasses.fields(self)}
        extra = {name: value for name, value in changes.items() if name not in fields}
        if extra:
            changes = {name: value for name, value in changes.items() if name in fields}
            changes["platform_settings"] = {**self.platform_settings, **extra}
        return dataclasses.replace(self, **changes)


def _platform_settings():
    """Every registered platform's own settings (imported late: config sits below connectors)."""
    from connectors import PLATFORMS

    return [setting for descriptor in PLATFORMS.values() for setting in descriptor.settings]


def _read_platform_settings(env, production: bool) -> dict:
    values = {}
    for setting in _platform_settings():
        raw = env.get(setting.env)
        if raw in (None, ""):
            if production and setting.required_in_production:
                raise ConfigError(f"missing required setting(s): {setting.env}")
            values[setting.field] = setting.default_for(production)
            continue
        values[setting.field] = _platform_value(env, setting, raw)
        refusal = setting.refusal_in_production(values[setting.field]) if production else None
        if refusal:
            raise ConfigError(refusal)
    return values


def _platform_value(env, setting, raw: str):
    if setting.kind is str:
        return raw
    if setting.kind in (int, float):
        return _number(env, setting.env, setting.default, setting.kind)
    try:
        return setting.kind(raw)
    except ValueError as error:
        raise ConfigError(f"{setting.env}: {error}") from None


def _check_platform_settings(settings: "Settings") -> None:
    from connectors import PLATFORMS

    for descriptor in PLATFORMS.values():
        try:
            descriptor.check_settings(settings)
        except ValueError as error:
            raise ConfigError(str(error)) from None


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _instance_secret(name: str, make) -> str:
    """A secret generated once and kept in instance/, so restarts keep sessions and tokens."""
    INSTANCE_DIR.mkdir(exist_ok=True)
    path = INSTANCE_DIR / name
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def _number(env, name, default, kind):
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None


def load_settings(env=None) -> Settings:
    """Build settings from the environment; raise ConfigError naming a missing variable."""
    env = os.environ if env is None else env
    app_env = env.get("APP_ENV", "development")
    if app_env not in {"development", "test", "production"}:
        raise ConfigError(f"APP_ENV must be development, test or production, got {app_env!r}")
    if app_env == "production":
        missing = [name for name in PRODUCTION_SECRETS if not env.get(name)]
        if missing:
            raise ConfigError("missing required setting(s): " + ", ".join(missing))
    port = _number(env, "PORT", 8000, int)
    # A real app's credentials, of any platform (a setting with a sandbox value set): real stores.
    has_store_credentials = bool(env.get("SHOPIFY_API_KEY")) or any(
        env.get(setting.env) for setting in _platform_settings() if setting.sandbox_value is not None)
    defaults = Settings()
    settings = Settings(
        app_env=app_env,
        port=port,
        app_url=env.get("APP_URL") or f"http://127.0.0.1:{port}",
        secret_key=env.get("SECRET_KEY") or _instance_secret("secret_key", lambda: secrets.token_hex(32)),
        token_encryption_key=env.get("TOKEN_ENCRYPTION_KEY")
        or _instance_secret("token_encryption_key", lambda: Fernet.generate_key().decode()),
        database_url=env.get("DATABASE_URL") or defaults.database_url,
        queue_url=env.get("QUEUE_URL") or defaults.queue_url,
        shopify_api_key=env.get("SHOPIFY_API_KEY") or defaults.shopify_api_key,
        shopify_api_secret=env.get("SHOPIFY_API_SECRET") or defaults.shopify_api_secret,
        shopify_scopes=env.get("SHOPIFY_SCOPES") or defaults.shopify_scopes,
        shopify_api_version=env.get("SHOPIFY_API_VERSION") or defaults.shopify_api_version,
        shopify_admin_origin=env.get("SHOPIFY_ADMIN_ORIGIN") or defaults.shopify_admin_origin,
        label_webhook_secret=env.get("LABEL_WEBHOOK_SECRET") or defaults.label_webhook_secret,
        sync_max_attempts=_number(env, "SYNC_MAX_ATTEMPTS", 3, int),
        sync_backoff_seconds=_number(env, "SYNC_BACKOFF_SECONDS", 1.5, float),
        sandbox=_flag(env["SANDBOX"]) if "SANDBOX" in env else (app_env != "production" and not has_store_credentials),
        allow_http_stores=_flag(env.get("ALLOW_HTTP_STORES", "0")),
        store_timeout_seconds=_number(env, "STORE_TIMEOUT_SECONDS", defaults.store_timeout_seconds, float),
        sync_lease_seconds=_number(env, "SYNC_LEASE_SECONDS", defaults.sync_lease_seconds, float),
        metrics_token=env.get("METRICS_TOKEN", ""),
        digest_enabled=_flag(env.get("DIGEST_ENABLED", "0")),
        digest_hour=_number(env, "DIGEST_HOUR", defaults.digest_hour, int),
        digest_to=env.get("DIGEST_TO", ""),
        mail_from=env.get("MAIL_FROM") or defaults.mail_from,
        smtp_host=env.get("SMTP_HOST", ""),
        smtp_port=_number(env, "SMTP_PORT", defaults.smtp_port, int),
        smtp_username=env.get("SMTP_USERNAME", ""),
        smtp_password=env.get("SMTP_PASSWORD", ""),
        smtp_starttls=_flag(env.get("SMTP_STARTTLS", "1")),
        mail_outbox_dir=env.get("MAIL_OUTBOX_DIR", ""),
        receipt_retention_days=_number(env, "WEBHOOK_RETENTION_DAYS", defaults.receipt_retention_days, int),
        attempt_retention_days=_number(env, "ATTEMPT_RETENTION_DAYS", defaults.attempt_retention_days, int),
        platform_settings=_read_platform_settings(env, app_env == "production"),
    )
    try:
        Fernet(settings.token_encryption_key.encode())
    except ValueError:
        raise ConfigError("TOKEN_ENCRYPTION_KEY must be a urlsafe-base64 32-byte Fernet key") from None
    if not 0 <= settings.digest_hour <= 23:
        raise ConfigError("DIGEST_HOUR must be an hour from 0 to 23 (UTC)")
    if settings.digest_enabled and not (settings.smtp_host or settings.mail_outbox_dir):
        raise ConfigError("DIGEST_ENABLED needs SMTP_HOST (or MAIL_OUTBOX_DIR) to send the digest")
    if "{shop}" not in settings.shopify_admin_origin:
        raise ConfigError("SHOPIFY_ADMIN_ORIGIN must contain {shop}")
    _check_platform_settings(settings)
    if settings.production:
        _refuse_unsafe_production(env, settings)
    return settings


def _refuse_unsafe_production(env, settings: Settings) -> None:
    """Settings that are fine for local testing and dangerous in front of real stores."""
    if not env.get("APP_URL"):
        raise ConfigError("APP_URL is required in production: OAuth redirects and webhook addresses are built on it")
    if not settings.app_url.lower().startswith("https://"):
        raise ConfigError("APP_URL must be an https:// address in production")
    if settings.allow_http_stores:
        raise ConfigError("ALLOW_HTTP_STORES must be off in production: it is for local testing only")
    if settings.label_webhook_secret == SANDBOX_LABEL_WEBHOOK_SECRET:
        raise ConfigError("LABEL_WEBHOOK_SECRET is the sandbox's published value: set your own in production")
    if settings.shopify_api_secret == SANDBOX_SHOPIFY_API_SECRET:
        raise ConfigError("SHOPIFY_API_SECRET is the sandbox's published value: set your app's in production")
