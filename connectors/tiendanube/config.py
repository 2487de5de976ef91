"""The app-level settings a Tiendanube connector needs, as one small frozen value.

The app's settings ``TIENDANUBE_APP_ID``, ``TIENDANUBE_CLIENT_SECRET``, ``TIENDANUBE_SCOPES``,
``TIENDANUBE_AUTH_ORIGIN``, ``TIENDANUBE_API_ORIGIN`` and ``TIENDANUBE_API_VERSION`` are the
descriptor's ``Setting``s (``descriptor.py``); ``TiendanubeConfig.of(settings)`` reads them
(and falls back to the documented defaults for a settings object without them).
"""
from __future__ import annotations

import dataclasses

AUTH_ORIGIN = "https://www.tiendanube.com"
API_ORIGIN = "https://api.tiendanube.com"
API_VERSION = "2025-03"
SCOPES = "read_orders,write_orders"
# The sandbox's app (sandbox/tiendanube/server.py): the default outside production only.
SANDBOX_APP_ID = "4242"
SANDBOX_CLIENT_SECRET = "sandbox-tiendanube-client-secret-not-for-production"
# The API refuses calls without a User-Agent and asks that it name the app and a contact.
USER_AGENT = "ShipSync (https://github.com/shipsync/shipsync)"


@dataclasses.dataclass(frozen=True)
class TiendanubeConfig:
    app_id: str = ""
    client_secret: str = ""
    scopes: str = SCOPES
    auth_origin: str = AUTH_ORIGIN
    api_origin: str = API_ORIGIN
    api_version: str = API_VERSION
    timeout: float = 10.0  # seconds, on every call
    user_agent: str = USER_AGENT
    max_pause: float = 2.0  # the longest a call waits in-process for the bucket; longer waits go back to the engine

    def __post_init__(self):
        if self.timeout <= 0:
            raise ValueError("timeout must be positive")
        if not self.user_agent.strip():
            raise ValueError("user_agent must name the app and a contact")

    @classmethod
    def of(cls, settings) -> "TiendanubeConfig":
        """A config from the app's settings object (or the config itself)."""
        if isinstance(settings, cls):
            return settings
        defaults = cls()
        app_url = getattr(settings, "app_url", "") or ""
        return cls(
            app_id=str(getattr(settings, "tiendanube_app_id", "") or ""),
            client_secret=getattr(settings, "tiendanube_client_secret", "") or "",
            scopes=getattr(settings, "tiendanube_scopes", None) or defaults.scopes,
            auth_origin=getattr(settings, "tiendanube_auth_origin", None) or defaults.auth_origin,
            api_origin=getattr(settings, "tiendanube_api_origin", None) or defaults.api_origin,
            api_version=getattr(settings, "tiendanube_api_version", None) or defaults.api_version,
            timeout=float(getattr(settings, "store_timeout_seconds", None) or defaults.timeout),
            user_agent=f"ShipSync ({app_url})" if app_url.startswith("https://") else defaults.user_agent,
        )
