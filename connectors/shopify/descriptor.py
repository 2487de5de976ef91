"""Shopify as the rest of ShipSync sees it: its ``connectors.platform.Platform``."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import jwt

from connectors.platform import EMBEDDED, Embedding, InvalidSessionToken, Platform, SignIn

from . import documents as doc
from .carriers import KNOWN
from .ids import numeric_id
from .oauth import valid_shop_domain
from .webhooks import TOPICS

DEFAULT_ADMIN_ORIGIN = "https://{shop}"
# Shopify's rule: App Bridge is the page's first script, loaded synchronously from Shopify's CDN.
APP_BRIDGE_URL = "https://cdn.shopify.com/shopifycloud/app-bridge.js"


def normalize_store(raw: str) -> str:
    """The lower-case shop domain."""
    return (raw or "").strip().lower().removeprefix("https://").rstrip("/")


def label_id(value: str) -> str:
    """Ids may come numeric or as a GID (gid://shopify/Order/5001); ShipSync keeps the number."""
    return value.rsplit("/", 1)[-1] if value.startswith("gid://") else value


def admin_order_url(store, settings, external_id: str) -> str:
    """admin.shopify.com/store/<handle>/orders/<id>, the admin's own address (the old
    <shop>/admin/orders/<id> only redirects there); outside production the configured admin
    origin (the sandbox)."""
    origin = settings.shopify_admin_origin
    if origin == DEFAULT_ADMIN_ORIGIN and valid_shop_domain(store.domain):
        handle = store.domain.removesuffix(".myshopify.com")
        return f"https://admin.shopify.com/store/{handle}/orders/{numeric_id(external_id)}"
    return f"{origin.format(shop=store.domain)}/admin/orders/{numeric_id(external_id)}"


def app_link(store, settings) -> str:
    """The app inside the store's admin."""
    return settings.shopify_admin_origin.format(shop=store.domain) + f"/admin/apps/{settings.shopify_api_key}"


def carrier_suggestions(_store) -> list[str]:
    """Shopify's supported tracking companies."""
    return list(KNOWN)


def carrier_note() -> str:
    from flask_babel import gettext as _  # a request's language; the registry loads no Flask

    return _("Shopify writes the carriers it knows in its own spelling (“United Parcel Service” becomes “UPS”) so "
             "that it can link their tracking; pick a name from the suggestions to keep it exactly.")


def session_token(token: str, settings) -> str:
    """The shop domain a valid App Bridge session token names; raises InvalidSessionToken."""
    try:
        claims = jwt.decode(token, settings.shopify_api_secret, algorithms=["HS256"],
                            audience=settings.shopify_api_key, leeway=10,
                            options={"require": ["exp", "nbf", "dest", "aud"]})
    except jwt.InvalidTokenError as error:
        raise InvalidSessionToken(str(error)) from None
    return claims["dest"].removeprefix("https://")


def opened_by(args) -> str | None:
    """Shopify admin opens the app with ``?shop=<shop>.myshopify.com`` (and host, embedded, id_token)."""
    shop = args.get("shop")
    return shop if shop and valid_shop_domain(shop) else None


def frame_ancestors(shop: str, settings) -> list[str]:
    """The shop and Shopify admin may frame the page for that shop only; the configured admin
    origin (the sandbox's, outside production) is Shopify admin too."""
    sources = [f"https://{shop}", "https://admin.shopify.com"]
    admin = urlsplit(settings.shopify_admin_origin.format(shop=shop))
    if f"{admin.scheme}://{admin.netloc}" not in sources:
        sources.append(f"{admin.scheme}://{admin.netloc}")
    return sources


EMBEDDING = Embedding(
    opened_by=opened_by,
    frame_ancestors=frame_ancestors,
    bridge=str(Path(__file__).with_name("bridge.js")),
    admin_name=lambda: "Shopify",
    host_script=APP_BRIDGE_URL,
    head_meta=lambda settings: {"shopify-api-key": settings.shopify_api_key},
    # Shopify-managed installs land on the app home first: an offline token from its id_token.
    on_load="auth.shopify:exchange_on_app_home",
    # What the page needs from Shopify's query: App Bridge, the token exchange, the language.
    passed_on=("shop", "host", "embedded", "id_token", "locale"),
)


def _install_button() -> str:
    from flask_babel import gettext as _  # the page's language; the registry loads no Flask

    return _("Install on Shopify")


def _shop_label() -> str:
    from flask_babel import gettext as _

    return _("Shopify store domain")


# From ShipSync's own page: the shop's domain, then Shopify's install (OAuth) page.
SIGN_IN = SignIn("shopify_auth.start", button=_install_button, field="shop", label=_shop_label,
                 placeholder="my-store.myshopify.com")


def descriptor(connector: type) -> Platform:
    return Platform(
        name="shopify",
        connector=connector,
        normalize_store=normalize_store,
        label_id=label_id,
        # Shopify signs with the app secret, so one URL serves every shop.
        webhook_path=lambda _store_id: "/webhooks/shopify",
        webhook_topics=TOPICS,
        app_modules=("auth.shopify", "webhooks.shopify"),
        reauthorize=("shopify_auth.start", "shop"),
        page_mode=EMBEDDED,
        credential_fields=("access_token", "refresh_token"),
        sandbox="sandbox.shopify",
        admin_order_url=admin_order_url,
        app_link=app_link,
        carrier_suggestions=carrier_suggestions,
        carrier_note=carrier_note,
        sync_cost=connector.requested_cost,
        read_cost=float(doc.REQUESTED_COST["ORDER_QUERY"]),
        session_token=session_token,
        embedding=EMBEDDING,
        display_name="Shopify",
        messages="connectors.shopify.messages",  # its failure messages in the page's language
        sign_in=SIGN_IN,
    )
