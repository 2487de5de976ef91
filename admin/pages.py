"""The merchant's orders page (HTML). It reads the JSON API in admin/api.py.

One page serves both kinds of store. Inside Shopify admin (``?shop=…``) it loads App
Bridge and sends a session token with every API call; for WooCommerce it stands alone,
on the session cookie set by the connect flow, with the CSRF token embedded for writes.
The page holds no order data itself: everything it shows comes from the API, so it is
cacheable per language and safe to render for anybody.
"""
from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, current_app, render_template, request, session, url_for
from flask_babel import get_locale, gettext as _, ngettext

from auth.session import csrf_token
from auth.shopify import exchange_on_app_home
from headers import page_policy

bp = Blueprint("pages", __name__)

APP_BRIDGE_URL = "https://cdn.shopify.com/shopifycloud/app-bridge.js"
SHOPIFY, STANDALONE, SIGNED_OUT = "shopify", "standalone", "signed_out"


@functools.cache
def script_modules() -> tuple[str, ...]:
    """The page's ES modules (static/js), for <link rel="modulepreload">."""
    folder = Path(current_app.static_folder) / "js"
    return tuple(sorted(p.name for p in folder.glob("*.js")))


def frame_ancestors(shop: str | None) -> str:
    """Shopify admin may frame the page for its own shop only; elsewhere nobody may.

    The configured admin origin (the sandbox's, outside production) is Shopify admin too.
    """
    if not shop:
        return "frame-ancestors 'none'"
    sources = [f"https://{shop}", "https://admin.shopify.com"]
    admin = urlsplit(current_app.config["SETTINGS"].shopify_admin_origin.format(shop=shop))
    if f"{admin.scheme}://{admin.netloc}" not in sources:
        sources.append(f"{admin.scheme}://{admin.netloc}")
    return "frame-ancestors " + " ".join(sources)


def _valid_shop(shop: str | None) -> str | None:
    from connectors.shopify.oauth import valid_shop_domain

    return shop if shop and valid_shop_domain(shop) else None


@bp.after_app_request
def content_security_policy(response):
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = page_policy(
            frame_ancestors(_valid_shop(request.args.get("shop"))))
    return response


@bp.get("/")
def index():
    settings = current_app.config["SETTINGS"]
    # Shopify-managed installs land here first: get an offline token from the id_token.
    exchange_on_app_home(request.args)
    shop = _valid_shop(request.args.get("shop"))
    if shop:
        mode = SHOPIFY
    elif "store_id" in session:
        mode = STANDALONE
    else:
        mode = SIGNED_OUT
    config = {
        "mode": mode,
        "shop": shop,
        "locale": str(get_locale()),
        "apiBase": url_for("api.list_orders").removesuffix("/orders"),
        # Only a signed-in browser session needs (and gets) a CSRF token; Shopify calls use bearer tokens.
        "csrfToken": csrf_token() if mode == STANDALONE else None,
        "installUrl": url_for("shopify_auth.start", shop=shop) if shop else None,
        "maxAttempts": settings.sync_max_attempts,
        "strings": client_strings(),
    }
    response = current_app.make_response(render_template(
        "orders.html", mode=mode, shop=shop, api_key=settings.shopify_api_key,
        app_bridge_url=APP_BRIDGE_URL, config=config, script_modules=script_modules()))
    # The page embeds a per-session CSRF token and depends on the language: never share it.
    response.headers["Cache-Control"] = "no-store"
    return response


def _plural(singular: str, plural: str) -> dict:
    """Both forms for the browser, which picks one with Intl.PluralRules ("one"/"other")."""
    return {"one": ngettext(singular, plural, 1), "other": ngettext(singular, plural, 2)}


def client_strings() -> dict:
    """Every text the page's script shows, translated here so one catalog serves both sides.

    ``{name}``-style placeholders are filled in by the script.
    """
    return {
        "empty": {
            "pending": _("No orders need synchronization"),
            "prepared": _("No prepared orders yet"),
            "all": _("No orders yet"),
        },
        "emptyHelp": {
            "pending": _("Shipments are synchronized automatically. Orders that need your attention appear here."),
            "prepared": _("Orders whose shipments are all synchronized with your store appear here."),
            "all": _("Orders appear here when your shipping platform creates labels for them."),
        },
        "emptySearch": _("No orders match “{q}” in this tab."),
        "searchAll": _("Search all orders"),
        "items": _plural("{count} item", "{count} items"),
        "noPackages": _("No packages yet"),
        "noTracking": _("No tracking number"),
        "cancelled": _("Cancelled"),
        "fulfillment": {
            "unfulfilled": _("Unfulfilled"),
            "partially_fulfilled": _("Partially fulfilled"),
            "fulfilled": _("Fulfilled"),
        },
        "orderSync": {
            "requires_sync": _("Requires synchronization"),
            "in_progress": _("Synchronizing"),
            "synced": _("Synchronized"),
            "none": _("No shipments"),
        },
        "packageStatus": {
            "pending": _("Waiting to synchronize"),
            "syncing": _("Synchronizing"),
            "retrying": _("Retrying"),
            "synced": _("Synchronized"),
            "requires_sync": _("Requires synchronization"),
            "voided": _("Voided"),
        },
        "causes": {
            "connection": _("Connection problem"),
            "rate_limited": _("Too many requests"),
            "store_server": _("Store server error"),
            "token_expired": _("Access expired"),
            "store_configuration": _("Store set-up"),
            "invalid_data": _("Data rejected"),
            "manual_sync": _("Waiting for manual synchronization"),
            "store_uninstalled": _("App uninstalled"),
            "order_cancelled": _("Order cancelled"),
        },
        "outcomes": {
            "synced": _("Synchronized"),
            "retry": _("Failed, will retry"),
            "failed": _("Failed"),
            "refreshed": _("Access renewed"),
            "void_failed": _("Cancelling the fulfillment failed, will retry"),
        },
        "sync": _("Synchronize"),
        "syncBusy": _("Synchronizing…"),
        "syncLabel": _("Synchronize order {name}"),
        "syncBusyLabel": _("Synchronizing order {name}…"),
        "saving": _("Saving…"),
        "loadingHistory": _("Loading the attempt history…"),
        "showDetails": _("Show shipping information for order {name}"),
        "hideDetails": _("Hide shipping information for order {name}"),
        "shippingInformation": _("Shipping information"),
        "requiresSyncHeading": _("Requires shipment synchronization"),
        "whatToDo": _("What to do:"),
        "package": _("Package {id}"),
        "carrier": _("Carrier"),
        "tracking": _("Tracking"),
        "itemsHeading": _("Items"),
        "attempts": _("Attempts in this run: {count} of {max}"),
        "lastError": _("Last error"),
        "storeAnswer": _("The store answered"),
        "httpStatus": _("HTTP {status}"),
        "nextAttempt": _("Next attempt: {time}"),
        "syncedAt": _("Synchronized on {time}"),
        "fulfillmentId": _("Store fulfillment: {id}"),
        "lineItem": _("Item {id}"),
        "historyButton": _("View attempt history"),
        "historyLabel": _("View attempt history of order {name}"),
        "historyTitle": _("Attempt history of order {name}"),
        "historyEmpty": _("No attempts recorded yet."),
        "historyColumns": {
            "at": _("Time"), "outcome": _("Result"), "cause": _("Cause"),
            "http": _("HTTP status"), "message": _("Message"), "wait": _("Waited"),
        },
        "seconds": _("{count} s"),
        "syncDone": _("Order {name} is synchronized."),
        "syncStillFailing": _("Order {name} still requires synchronization."),
        "massRunning": _("Synchronizing your shipments"),
        "massDone": _("Synchronization finished"),
        "massProcessed": _("{done} of {total} shipments processed"),
        "massSynced": _plural("{count} synchronized", "{count} synchronized"),
        "massFailed": _plural("{count} failed", "{count} failed"),
        "massPending": _plural("{count} pending", "{count} pending"),
        "massValueText": _("{synced} synchronized, {failed} failed, {pending} pending, of {total}"),
        "massNothing": _("Nothing to synchronize: all your shipments are up to date."),
        "massAllSynced": _plural("The shipment was synchronized.", "All {count} shipments were synchronized."),
        "massSomeFailed": _plural("{count} shipment still needs your attention:",
                                  "{count} shipments still need your attention:"),
        "massMore": _plural("…and {count} more. You will find them in Fulfillment Pending.",
                            "…and {count} more. You will find them in Fulfillment Pending."),
        "reauthorized": _("ShipSync is authorized again. Held shipments are synchronizing."),
        "range": _("{from}–{to} of {total}"),
        "pageOf": _("Page {page} of {pages}"),
        "settingsSaved": _("Settings saved"),
        "mappingRemove": _("Remove the mapping for {carrier}"),
        "mappingRemoveEmpty": _("Remove this mapping"),
        "mappingPlatform": _("Carrier in the shipping platform"),
        "mappingStore": _("Carrier name in your store"),
        "mappingDuplicate": _("“{carrier}” is mapped twice. Keep one row per carrier."),
        "mappingIncomplete": _("Fill in both carrier names, or remove the row."),
        "errorGeneric": _("Something went wrong. Try again."),
        "errorNetwork": _("ShipSync could not be reached. Check your connection and try again."),
        "errorSession": _("Your session has expired. Open ShipSync again from your store admin."),
        "errorNoToken": _("Open ShipSync from your Shopify admin to see your orders."),
        "errorNotInstalled": _("ShipSync is not installed on this store."),
        "installLink": _("Install ShipSync"),
    }
