"""The merchant's orders page (HTML). It reads the JSON API in admin/api.py.

One page serves every kind of store. Opened by an embedding platform's admin (its descriptor's
``Embedding`` recognises the request: Shopify's ``?shop=…``) it loads that platform's bridge
module, which hands the API a session token on every call; standalone (WooCommerce, or an
embedded platform's page opened outside its admin) it runs on the session cookie set by the
sign-in flow, with the CSRF token embedded for writes. The page holds no order data itself:
everything it shows comes from the API, so it is safe to render for anybody.
"""
from __future__ import annotations

import functools
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory, session, url_for
from flask_babel import gettext as _, ngettext

from admin.embedding import bridge_file, frame_ancestors, opened_by, page_settings, run_on_load
from auth.session import csrf_token
from connectors import PLATFORMS
from headers import page_policy
from locales import language_tag

bp = Blueprint("pages", __name__)

EMBEDDED, STANDALONE, SIGNED_OUT = "embedded", "standalone", "signed_out"


@functools.cache
def script_modules() -> tuple[str, ...]:
    """The page's ES modules (static/js), for <link rel="modulepreload">."""
    folder = Path(current_app.static_folder) / "js"
    return tuple(sorted(p.name for p in folder.glob("*.js")))


@bp.after_app_request
def content_security_policy(response):
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = page_policy(
            frame_ancestors(request.args, current_app.config["SETTINGS"]))
    return response


@bp.get("/")
def index():
    settings = current_app.config["SETTINGS"]
    opened = opened_by(request.args)
    if opened:
        run_on_load(opened[0], request.args)
    signed_in = "store_id" in session
    mode = EMBEDDED if opened else STANDALONE if signed_in else SIGNED_OUT
    descriptor, address = opened or (None, None)
    embedding = descriptor.embedding if descriptor else None
    bridge = url_for("pages.bridge", platform=descriptor.name) if descriptor else None
    config = {
        "mode": mode,
        "store": address or None,
        "locale": language_tag(),
        "apiBase": url_for("api.list_orders").removesuffix("/orders"),
        # A signed-in browser session needs (and gets) a CSRF token, also inside an admin: an
        # embedded page opened outside its admin falls back to it. Session tokens need none.
        "csrfToken": csrf_token() if signed_in else None,
        "installUrl": _start_url(descriptor, address) if address else None,
        "maxAttempts": settings.sync_max_attempts,
        "strings": client_strings(),
        "embedding": page_settings(descriptor, address, bridge) | {"signInUrl": _start_url(descriptor, "")}
        if descriptor else None,
    }
    response = current_app.make_response(render_template(
        "orders.html", mode=mode, store=_signed_in_store() if mode == STANDALONE else None,
        embedding=embedding, head_meta=embedding.head_meta(settings) if embedding else {}, bridge=bridge,
        carrier_note=descriptor.carrier_note() if descriptor else None,
        config=config, script_modules=script_modules(),
        sign_ins=sign_ins(settings) if mode == SIGNED_OUT else (),
        demo_links=demo_links() if mode == SIGNED_OUT and settings.app_env == "development" else None))
    # The page embeds a per-session CSRF token and depends on the language: never share it.
    response.headers["Cache-Control"] = "no-store"
    return response


def sign_ins(settings) -> list[dict]:
    """Every registered platform's way in from ShipSync's own page (its descriptor's ``sign_in``),
    in the page's language."""
    forms = []
    for descriptor in PLATFORMS.values():
        way = descriptor.sign_in
        if way is None or not way.offered(settings):
            continue
        forms.append({"platform": descriptor.name, "action": url_for(way.endpoint), "field": way.field,
                      "label": way.label() if way.field else None, "placeholder": way.placeholder,
                      "type": way.input_type, "button": way.button()})
    return forms


@bp.get("/embedded/<platform>/bridge.js")
def bridge(platform: str):
    """An embedding platform's bridge module, shipped in its own package (connectors/<p>/)."""
    path = bridge_file(platform)
    if path is None:
        abort(404)
    return send_from_directory(path.parent, path.name, mimetype="text/javascript")


def _start_url(descriptor, address: str) -> str | None:
    """The platform's install/sign-in start (its ``reauthorize`` endpoint), for that store if named."""
    endpoint, argument = descriptor.reauthorize
    return url_for(endpoint, **({argument: address} if address else {}))


def _signed_in_store() -> str | None:
    """The standalone page names the store it shows (a merchant may run several)."""
    from db import get_session
    from models import Store

    store = get_session().get(Store, session["store_id"])
    return (store.name or store.domain) if store else None


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on every site; answer with the app's icon instead of a 404."""
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml",
                               max_age=86400)


def demo_links() -> dict | None:
    """The links `make run`'s demo printed (sandbox/demo.py writes them), shown again on the
    signed-out page in development: the app's root is not the demo's entry point."""
    import json

    from config import INSTANCE_DIR

    try:
        return json.loads((INSTANCE_DIR / "demo_links.json").read_text())
    except (OSError, ValueError):
        return None


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
        "apiKey": _("ShipSync uses the store's API key ending in …{key}. Older ShipSync keys can be revoked "
                    "in WooCommerce → Settings → Advanced → REST API."),
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
            "waiting": _("Waiting for you"),
            "none": _("No shipments"),
        },
        "packageStatus": {
            "pending": _("Waiting to synchronize"),
            "syncing": _("Synchronizing"),
            "retrying": _("Retrying"),
            "synced": _("Synchronized"),
            "requires_sync": _("Requires synchronization"),
            "waiting": _("Waiting for you"),
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
            "fulfillment_missing": _("Fulfillment missing in the store"),
        },
        "outcomes": {
            "synced": _("Synchronized"),
            "retry": _("Failed, will retry"),
            "failed": _("Failed"),
            "refreshed": _("Access renewed"),
            "void_failed": _("Cancelling the fulfillment failed, will retry"),
            "tracking_updated": _("Tracking number corrected"),
            "voided": _("Label voided"),
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
        "attemptsRetrying": _("Attempt {count} of {max}; ShipSync tries again by itself"),
        "attemptsStopped": _plural("{count} attempt; automatic retries have stopped",
                                   "{count} attempts; automatic retries have stopped"),
        "attemptsNotRetried": _plural("{count} attempt; not retried automatically, as retrying cannot fix this",
                                      "{count} attempts; not retried automatically, as retrying cannot fix this"),
        "lastError": _("Last error"),
        "lastAttempt": _("Last attempt"),
        "retryingFix": _("Nothing to do: ShipSync tries again by itself."),
        "storeAnswer": _("The store answered"),
        "detailLabel": _("Details"),
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
        "syncFailedBecause": _("Order {name} could not be synchronized: {cause}. See its shipping information."),
        "reauthFirst": _("Re-authorize ShipSync first: see the banner at the top of the page."),
        "selectOrder": _("Select order {name}"),
        "selectedCount": _plural("{count} order selected", "{count} orders selected"),
        "selectAllMatching": _("Select all {count} matching orders"),
        "columns": {
            "order": _("Order"), "date": _("Date"), "customer": _("Customer"), "items": _("Items"),
            "tracking": _("Packages and tracking"), "fulfillment": _("Fulfillment status"), "sync": _("Shipment sync"),
        },
        "emptyFiltered": _("No orders match these filters."),
        "clearFilters": _("Clear filters"),
        "exporting": _("Exporting…"),
        "openInStore": _("Open order {name} in the store admin"),
        "openInStoreShort": _("Open in the store"),
        "noPackagesYet": _("No packages for this order yet."),
        "noPackagesHelp": _("Packages appear here when your shipping platform creates labels for this order."),
        "loadingTimeline": _("Loading the order's timeline…"),
        "timelineHeading": _("Timeline"),
        "timeline": {
            "label_created": _("Label created for package {package} ({carrier} {tracking})"),
            "attempt": _("Attempt for package {package}: {outcome}"),
            "synced": _("Package {package} fulfilled in the store"),
            "failed": _("Package {package} could not be fulfilled"),
            "tracking_updated": _("Tracking of package {package} corrected in the store"),
            "voided": _("Label of package {package} voided; its fulfillment was cancelled"),
        },
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
        "massCauseCount": _plural("{count} shipment", "{count} shipments"),
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
        "errorNoToken": _("Open ShipSync from your {admin} admin to see your orders."),
        "signIn": _("Sign in with {admin}"),
        "errorNotInstalled": _("ShipSync is not installed on this store."),
        "installLink": _("Install ShipSync"),
    }
