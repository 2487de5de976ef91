"""WooCommerce as the rest of ShipSync sees it: its ``connectors.platform.Platform``."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from connectors.platform import STANDALONE, Platform, SignIn

from .connector import WEBHOOK_TOPICS, WooCommerceConnector


def normalize_store(raw: str) -> str:
    """scheme://host[:port][/path] without trailing slash (https when none is given)."""
    raw = (raw or "").strip()
    parts = urlsplit(raw if "://" in raw else "https://" + raw)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), "", ""))


def admin_order_url(store, _settings, external_id: str) -> str:
    """The HPOS order editor, admin.php?page=wc-orders; a store still on posts storage
    redirects it to post.php?post=<id>&action=edit itself (WooCommerce's
    COTRedirectionController), so one address serves both storages."""
    return f"{store.domain.rstrip('/')}/wp-admin/admin.php?page=wc-orders&action=edit&id={external_id}"


def carrier_suggestions(store) -> list[str]:
    """The providers of the store's tracking plugin (kept in ``Store.options["tracking_providers"]``
    when the plugin was detected; absent otherwise)."""
    providers = (store.options or {}).get("tracking_providers")
    names = [p.get("name") for p in providers if isinstance(p, dict)] if isinstance(providers, list) else []
    return sorted({n.strip() for n in names if isinstance(n, str) and n.strip()}, key=str.casefold)


def key_info(store) -> dict | None:
    """The key ShipSync uses now, as the store lists it (its last 7 characters): reconnecting
    adds a key each time, and only the merchant can revoke the older ones."""
    ending = (store.options or {}).get("key_ending")
    if not ending:
        return None
    return {"ends_with": ending, "revoke_at": "WooCommerce → Settings → Advanced → REST API"}


def _connect_button() -> str:
    from flask_babel import gettext as _  # the page's language; the registry loads no Flask

    return _("Connect WooCommerce")


def _address_label() -> str:
    from flask_babel import gettext as _

    return _("WooCommerce store address")


# From ShipSync's own page: the store's address, then its key-approval page.
SIGN_IN = SignIn("woocommerce_auth.start", button=_connect_button, field="store_url", label=_address_label,
                 placeholder="https://my-store.com", input_type="url")


PLATFORM = Platform(
    name="woocommerce",
    connector=WooCommerceConnector,
    normalize_store=normalize_store,
    # Each store signs with its own secret, so the URL names the store.
    webhook_path=lambda store_id: f"/webhooks/woocommerce/{store_id}",
    webhook_topics=WEBHOOK_TOPICS,
    app_modules=("auth.woocommerce", "webhooks.woocommerce"),
    reauthorize=("woocommerce_auth.start", "store_url"),
    page_mode=STANDALONE,
    credential_fields=("access_token", "consumer_secret", "webhook_secret"),
    sandbox="sandbox.woocommerce",
    admin_order_url=admin_order_url,
    carrier_suggestions=carrier_suggestions,
    key_info=key_info,
    messages="connectors.woocommerce.messages",  # its failure messages in the page's language
    sign_in=SIGN_IN,
)
