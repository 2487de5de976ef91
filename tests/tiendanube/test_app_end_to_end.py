"""A Tiendanube store end to end (issue 13 "Done when"): installed through the app, a label
turned into a dispatched fulfillment order by the real worker, webhooks from the sandbox
coming back to the app, a revoked token held until the merchant installs again.

Runs against the sandbox over real HTTP, with the app served for real (``live_server``) so
the sandbox's signed deliveries reach it."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from models import ACTIVE, REAUTH_REQUIRED, SYNCED, Order, Package, Store
from tests.helpers import label_payload, post_label, wait_for


@pytest.fixture
def settings(settings, live_port):
    return settings.replace(app_url=f"http://127.0.0.1:{live_port}", sync_backoff_seconds=0.1)


def install(live_server: str, tn_store) -> requests.Session:
    """The merchant's browser: ShipSync → accept on Tiendanube → back, signed in."""
    browser = requests.Session()
    start = browser.get(f"{live_server}/auth/tiendanube", allow_redirects=False, timeout=10)
    state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
    accept = browser.post(start.headers["Location"], data={"store_id": tn_store.store_id, "state": state},
                          allow_redirects=False, timeout=10)
    done = browser.get(accept.headers["Location"], allow_redirects=False, timeout=30)
    assert done.status_code == 302, done.text[:300]
    return browser


def nexo(app, tn_store) -> dict:
    """The embedded page's API headers: a Nexo session token naming the store."""
    from connectors.tiendanube.session_token import make_session_token

    token = make_session_token(app.config["SETTINGS"].tiendanube_client_secret, tn_store.store_id)
    return {"Authorization": f"Bearer {token}"}


def stored_store(app, tn_store) -> Store:
    with app.extensions["db_sessionmaker"]() as session:
        return session.scalar(select(Store).where(Store.platform == "tiendanube",
                                                  Store.domain == str(tn_store.store_id)))


def package_row(app, package_id: str) -> Package:
    with app.extensions["db_sessionmaker"]() as session:
        return session.scalar(select(Package).where(Package.external_id == package_id))


def tn_label(tn_store, order: dict, package_id: str, tracking: str, products=None, event="label.created") -> dict:
    items = [{"line_item_id": str(p["id"]), "quantity": int(p["quantity"])} for p in (products or order["products"])]
    return label_payload(order_id=str(order["id"]), package_id=package_id, tracking=tracking, items=items,
                         store=str(tn_store.store_id), platform="tiendanube", carrier="Correios", event=event)


def test_install_registers_each_webhook_once_at_the_apps_address(app, worker, tn_sandbox, tn_store, to_live_app):
    install(to_live_app, tn_store)
    wait_for(lambda: len(tn_store.webhook_list()) == 4, message="the worker registers the webhooks")

    install(to_live_app, tn_store)  # a re-install: still one of each
    wait_for(lambda: stored_store(app, tn_store).status == ACTIVE)
    hooks = wait_for(lambda: tn_store.webhook_list() if len(tn_store.webhook_list()) == 4 else None)

    assert sorted(h["event"] for h in hooks) == ["app/uninstalled", "order/cancelled", "order/created",
                                                 "order/updated"]
    assert {h["url"] for h in hooks} == {f"{to_live_app}/webhooks/tiendanube"}


def test_the_install_learns_the_owners_email_and_the_order_links_into_the_stores_admin(app, client, worker,
                                                                                       tn_sandbox, tn_store,
                                                                                       to_live_app):
    install(to_live_app, tn_store)
    order = tn_store.create_order([{"name": "Caneca", "quantity": 1}])
    post_label(client, tn_label(tn_store, order, "PKG-LINK", "BR123LINK"))
    row = wait_for(lambda: (p := package_row(app, "PKG-LINK")) is not None and p.status == SYNCED and p,
                   message="the package synced")

    store = stored_store(app, tn_store)
    assert store.options["contact_email"] == f"dono@loja{tn_store.store_id}.example"
    detail = client.get(f"/api/orders/{row.order_id}", headers=nexo(app, tn_store)).json
    assert detail["admin_url"] == (f"https://loja{tn_store.store_id}.lojavirtualnuvem.com.br"
                                   f"/admin/v2/orders/{order['id']}")


def test_a_label_dispatches_the_right_fulfillment_order_with_its_tracking(app, client, worker, tn_sandbox, tn_store,
                                                                         to_live_app):
    install(to_live_app, tn_store)
    order = tn_store.create_order([{"name": "Caneca", "quantity": 2, "location": "São Paulo"},
                                   {"name": "Camiseta", "quantity": 1, "location": "Rio"}])
    rio = [p for p in order["products"] if p["name"] == "Camiseta"]

    accepted = post_label(client, tn_label(tn_store, order, "PKG-RIO", "BR123RIO", products=rio))

    assert accepted.status_code == 202
    wait_for(lambda: package_row(app, "PKG-RIO").status == SYNCED, message="the package syncs")
    fos = {fo["assigned_location"]["name"]: fo for fo in tn_store.fulfillment_orders(order["id"])}
    assert fos["Rio"]["status"] == "DISPATCHED" and fos["Rio"]["tracking_info"]["code"] == "BR123RIO"
    assert fos["São Paulo"]["status"] != "DISPATCHED"  # never the other location's
    assert package_row(app, "PKG-RIO").fulfillment_id == fos["Rio"]["id"]


def test_a_package_over_two_locations_is_two_dispatches(app, client, worker, tn_sandbox, tn_store, to_live_app):
    install(to_live_app, tn_store)
    order = tn_store.create_order([{"name": "Caneca", "quantity": 1, "location": "São Paulo"},
                                   {"name": "Camiseta", "quantity": 1, "location": "Rio"}])

    post_label(client, tn_label(tn_store, order, "PKG-BOTH", "BR123BOTH"))

    wait_for(lambda: package_row(app, "PKG-BOTH").status == SYNCED, message="the package syncs")
    fos = tn_store.fulfillment_orders(order["id"])
    assert [fo["status"] for fo in fos] == ["DISPATCHED", "DISPATCHED"]
    assert {fo["tracking_info"]["code"] for fo in fos} == {"BR123BOTH"}


def test_part_of_a_fulfillment_order_is_a_cause_not_a_write(app, client, worker, tn_sandbox, tn_store, to_live_app):
    install(to_live_app, tn_store)
    order = tn_store.create_order([{"name": "Caneca", "quantity": 2, "location": "São Paulo"}])
    one_of_two = [{**order["products"][0], "quantity": 1}]

    post_label(client, tn_label(tn_store, order, "PKG-PART", "BR123PART", products=one_of_two))

    wait_for(lambda: package_row(app, "PKG-PART").last_cause == "store_configuration", message="the cause")
    assert [fo["status"] for fo in tn_store.fulfillment_orders(order["id"])] == ["UNPACKED"]


def test_a_revoked_token_holds_packages_until_the_merchant_installs_again(app, client, worker, tn_sandbox, tn_store,
                                                                          to_live_app):
    install(to_live_app, tn_store)
    tn_store.revoke_token()
    order = tn_store.create_order([{"name": "Caneca", "quantity": 1}])

    post_label(client, tn_label(tn_store, order, "PKG-HELD", "BR123HELD"))
    wait_for(lambda: stored_store(app, tn_store).status == REAUTH_REQUIRED, message="re-authorization needed")
    wait_for(lambda: package_row(app, "PKG-HELD").last_cause == "token_expired", message="the package is held")
    shown = client.get("/api/store", headers=nexo(app, tn_store)).json  # what the page's banner reads
    assert shown["status"] == REAUTH_REQUIRED and shown["reauthorize_url"].split("?")[0].endswith("/auth/tiendanube")

    install(to_live_app, tn_store)  # the merchant follows the banner: a new token

    wait_for(lambda: package_row(app, "PKG-HELD").status == SYNCED, message="the held package resumes by itself")
    assert tn_store.fulfillment_orders(order["id"])[0]["tracking_info"]["code"] == "BR123HELD"


def test_the_stores_webhooks_reach_the_app_and_orders_are_read_back(app, worker, tn_sandbox, tn_store, to_live_app):
    install(to_live_app, tn_store)
    wait_for(lambda: len(tn_store.webhook_list()) == 4, message="webhooks registered")

    order = tn_store.create_order([{"name": "Caneca", "quantity": 1}])  # order/created, signed, to the app

    def imported():
        with app.extensions["db_sessionmaker"]() as session:
            return session.scalar(select(Order).where(Order.external_id == str(order["id"])))
    wait_for(imported, message="the order read back through the connector")
    tn_store.cancel_order(order["id"])
    wait_for(lambda: imported().cancelled, message="order/cancelled arrives")


@pytest.fixture
def busy_store(tn_sandbox):
    """A store on a Next plan (400 deep, 20 per second): the basic plan's 2 per second would
    make 200 packages a five-minute test; the pacing is the same arithmetic."""
    store = tn_sandbox.create_store(plan="next", allow_http_webhooks=True)
    yield store
    tn_sandbox.remove_store(store.store_id)


def test_a_mass_sync_of_200_packages_meets_almost_no_429s(app, client, worker, tn_sandbox, busy_store, to_live_app):
    orders = [busy_store.create_order([{"name": "Caneca", "quantity": 1}]) for _ in range(200)]
    install(to_live_app, busy_store)

    for number, order in enumerate(orders):
        assert post_label(client, tn_label(busy_store, order, f"PKG-M{number}", f"BRM{number:06d}")).status_code == 202

    def synced() -> int:
        with app.extensions["db_sessionmaker"]() as session:
            return len(session.scalars(select(Package.id).where(Package.status == SYNCED)).all())
    wait_for(lambda: synced() == 200, timeout=240, interval=0.5, message="200 packages synced")
    calls = busy_store.requests()
    assert sum(r["status"] == 429 for r in calls) <= len(calls) // 100, [r["status"] for r in calls][-50:]
    assert all(fo["status"] == "DISPATCHED" for o in orders for fo in busy_store.fulfillment_orders(o["id"]))


def test_a_lost_answer_is_read_back_never_written_twice(app, client, worker, tn_sandbox, tn_store, to_live_app):
    install(to_live_app, tn_store)
    order = tn_store.create_order([{"name": "Caneca", "quantity": 1}])
    tn_store.add_fault("lost_response", method="PATCH", seconds=3.0)  # applied; the answer comes too late

    post_label(client, tn_label(tn_store, order, "PKG-LOST", "BR123LOST"))

    wait_for(lambda: package_row(app, "PKG-LOST").status == SYNCED, message="the package syncs")
    assert len(tn_store.requests("PATCH")) == 1  # the write that happened, never repeated
    fo = tn_store.fulfillment_orders(order["id"])[0]
    assert fo["status"] == "DISPATCHED" and fo["tracking_info_history"] == []


def test_a_cancelled_order_is_a_cause_with_a_fix(app, client, worker, tn_sandbox, tn_store, to_live_app):
    install(to_live_app, tn_store)
    order = tn_store.create_order([{"name": "Caneca", "quantity": 1}])
    tn_store.cancel_order(order["id"])

    post_label(client, tn_label(tn_store, order, "PKG-CANC", "BR123CANC"))

    wait_for(lambda: package_row(app, "PKG-CANC").last_cause in ("store_configuration", "order_cancelled"),
             message="the cause")
    assert tn_store.requests("PATCH") == []


def test_an_unknown_order_is_a_cause_with_a_fix_and_no_write(app, client, worker, tn_sandbox, tn_store, to_live_app):
    install(to_live_app, tn_store)
    missing = {"id": 9999999999, "products": [{"id": 1, "quantity": 1}]}

    post_label(client, tn_label(tn_store, missing, "PKG-NONE", "BR123NONE"))

    row = wait_for(lambda: (p := package_row(app, "PKG-NONE")) is not None and p.status == "requires_sync" and p,
                   message="the package stops")
    assert row.last_cause == "invalid_data" and "Tiendanube has no order 9999999999" in row.last_message
    detail = client.get(f"/api/orders/{row.order_id}", headers=nexo(app, tn_store)).json
    assert detail["packages"][0]["error"]["fix"]
    assert tn_store.requests("PATCH") == []
    # The page's API in the merchant's language: the cause, its fix and ShipSync's own words.
    shown = {language: client.get(f"/api/orders/{row.order_id}",
                                  headers={**nexo(app, tn_store), "Accept-Language": language}).json
             for language in ("es", "pt-BR")}
    spanish, portuguese = (shown[lang]["packages"][0]["error"] for lang in ("es", "pt-BR"))
    assert spanish["detail"].startswith("Tiendanube no tiene el pedido 9999999999")
    assert portuguese["detail"].startswith("A Nuvemshop não tem o pedido 9999999999")
    assert spanish["detail_from"] == portuguese["detail_from"] == "shipsync"
    assert len({spanish["fix"], portuguese["fix"], detail["packages"][0]["error"]["fix"]}) == 3


def test_a_shipment_the_merchant_dispatched_with_another_code_is_a_cause_with_a_fix(app, client, worker, tn_sandbox,
                                                                                     tn_store, to_live_app):
    install(to_live_app, tn_store)
    order = tn_store.create_order([{"name": "Caneca", "quantity": 1}])
    tn_store.dispatch_in_admin(order["id"], code="MERCHANT-9")

    post_label(client, tn_label(tn_store, order, "PKG-MINE", "BR123MINE"))

    row = wait_for(lambda: (p := package_row(app, "PKG-MINE")).last_cause and p, message="the cause")
    assert (row.status, row.last_cause) == ("requires_sync", "store_configuration")
    assert "MERCHANT-9" in row.last_message and "correct the tracking code in the Tiendanube admin" in row.last_message
    assert [fo["tracking_info"]["code"] for fo in tn_store.fulfillment_orders(order["id"])] == ["MERCHANT-9"]
