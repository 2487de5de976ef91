"""The orders page inside the Tiendanube / Nuvemshop admin (``connectors.platform.Embedding``).

The admin shows an embedded app in an iframe at the app's URL (a Partner Portal setting); we
set that URL to ``{APP_URL}/?platform=tiendanube``, which is how the page knows this admin
opened it. Unlike Shopify's, the URL names no store: the store is the ``storeId`` of the Nexo
session token the page gets from the admin (``nexo_bridge.js``) and sends with every API call
(checked by the descriptor's ``session_token``). The page loads no script of the admin's:
Nexo is plain postMessage. Opened outside the admin, the page falls back to the standalone
sign-in (the install flow, which signs the browser in).
"""
from __future__ import annotations

from pathlib import Path

from connectors.platform import Embedding

from .config import AUTH_ORIGIN

MARKER = ("platform", "tiendanube")
# Where the merchant admin is served (README.md "Nexo and the admin's origins"): on the store's
# own subdomain of each brand's store domain — {store}.mitiendanube.com/admin/v2/apps/{app_id},
# {store}.lojavirtualnuvem.com.br/admin/... (observed) — and, by the links apps and the
# platform publish, on each brand's www origin (conflicting: reported both to work and to 404).
# The page's URL names no store, so the store subdomain is a wildcard; the framed page holds
# nothing without a session token the admin signs, and the session cookie (SameSite=Lax) is
# not sent inside another site's frame.
ADMIN_ORIGINS = ("https://*.mitiendanube.com", "https://*.lojavirtualnuvem.com.br",
                 "https://www.tiendanube.com", "https://www.nuvemshop.com.br")


def opened_by(args) -> str | None:
    """"" (the store comes with the session token) when the admin opened the app's URL, else None."""
    return "" if args.get(MARKER[0]) == MARKER[1] else None


def frame_ancestors(_store: str, settings) -> list[str]:
    """The admin on both brands' origins; outside production also the configured auth origin
    (the sandbox's admin)."""
    configured = (getattr(settings, "tiendanube_auth_origin", "") or AUTH_ORIGIN).rstrip("/")
    extra = [configured] if not settings.production and configured not in ADMIN_ORIGINS else []
    return [*ADMIN_ORIGINS, *extra]


def admin_name() -> str:
    from flask_babel import gettext as _  # the page's language; the registry loads no Flask

    # The platform is Nuvemshop for Brazil's merchants: the Portuguese catalog says so.
    return _("Tiendanube")


EMBEDDING = Embedding(
    opened_by=opened_by,
    frame_ancestors=frame_ancestors,
    bridge=str(Path(__file__).with_name("nexo_bridge.js")),
    admin_name=admin_name,
)
