"""Abuse suite: Shopify webhooks whose headers are not what the signed body says (issue 8, medium 1)."""
from __future__ import annotations

import time

from sqlalchemy import select, text

from models import Package, Store
from tests.helpers import install_shopify, label_payload, make_store, post_label, post_shopify_webhook, wait_for

SHOP, OTHER = "acme.myshopify.com", "other.myshopify.com"


def _status(app, domain):
    with app.extensions["db_sessionmaker"]() as session:
        return session.scalar(select(Store.status).where(Store.domain == domain))


def test_a_signed_uninstall_of_one_shop_replayed_for_another_is_refused(app, client):
    make_store(app, "shopify", SHOP)
    make_store(app, "shopify", OTHER)
    response = post_shopify_webhook(client, "app/uninstalled", {"id": 1, "myshopify_domain": SHOP}, shop=OTHER)
    assert response.status_code == 400
    assert _status(app, OTHER) == "active"


def test_an_order_body_replayed_as_uninstall_or_redact_is_refused(app, client):
    make_store(app, "shopify", OTHER, status="uninstalled")
    make_store(app, "shopify", SHOP)
    order_body = {"id": 5001, "admin_graphql_api_id": "gid://shopify/Order/5001"}
    assert post_shopify_webhook(client, "app/uninstalled", order_body, shop=SHOP).status_code == 400
    assert post_shopify_webhook(client, "shop/redact", order_body, shop=OTHER).status_code == 400
    assert _status(app, SHOP) == "active" and _status(app, OTHER) == "uninstalled"


def test_shop_redact_never_erases_an_installed_store(app, client, worker):
    make_store(app, "shopify", SHOP)
    assert post_shopify_webhook(client, "shop/redact", {"shop_domain": SHOP}).status_code == 200
    time.sleep(0.5)  # give a (wrongly) queued erase the time to run
    assert _status(app, SHOP) == "active"


def test_shop_redact_of_an_uninstalled_store_is_done_by_the_worker(app, client):
    """Answered at once; the store row is still there until the queue runs the erase."""
    make_store(app, "shopify", SHOP, status="uninstalled")
    assert post_shopify_webhook(client, "shop/redact", {"shop_domain": SHOP}).status_code == 200
    assert _status(app, SHOP) == "uninstalled"  # no worker running: nothing erased in the request
    from sync import tasks
    assert tasks.redact_store.call_local(_store_id(app, SHOP)) is True
    assert _status(app, SHOP) is None


def _store_id(app, domain):
    with app.extensions["db_sessionmaker"]() as session:
        return session.scalar(select(Store.id).where(Store.domain == domain))


def test_routing_complete_restarts_only_the_named_orders_packages_on_the_queue(app, client, shopify_store, worker):
    shopify_store.create_shop(SHOP)
    install_shopify(client, SHOP)
    first, second = shopify_store.create_order(SHOP, routed=False), shopify_store.create_order(SHOP, routed=False)
    for n, order in enumerate((first, second)):
        post_label(client, label_payload(order_id=order["id"], package_id=f"PKG-{n}", tracking=f"1Z{n:016d}",
                                         items=[{"line_item_id": str(order["line_items"][0]["id"]), "quantity": 1}]))

    def statuses():
        with app.extensions["db_sessionmaker"]() as session:
            return dict(session.execute(select(Package.external_id, Package.status)).all())
    wait_for(lambda: statuses() == {"PKG-0": "requires_sync", "PKG-1": "requires_sync"}, message="both held")
    (fo_first,) = shopify_store.route(SHOP, first["id"])
    shopify_store.route(SHOP, second["id"])  # routed too, but its webhook is not the one sent
    post_shopify_webhook(client, "fulfillment_orders/order_routing_complete",
                         {"fulfillment_order": {"id": f"gid://shopify/FulfillmentOrder/{fo_first}", "status": "open"}})
    wait_for(lambda: statuses()["PKG-0"] == "synced", message="the named order's package synced")
    time.sleep(0.5)
    assert statuses()["PKG-1"] == "requires_sync"


def test_compliance_topics_must_name_the_header_shop(app, client):
    make_store(app, "shopify", SHOP)
    make_store(app, "shopify", OTHER)
    redact = {"shop_domain": SHOP, "customer": {"email": "x@example.com"}, "orders_to_redact": [1]}
    assert post_shopify_webhook(client, "customers/redact", redact, shop=OTHER).status_code == 400
    engine = app.extensions["db_engine"]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM webhook_receipts")).scalar() == 0
