"""The merchant API's additions (DESIGN §4, issue 12): filters, sort, keyset cursor, admin links,
customer, timeline, CSV export, summary, syncing chosen orders, carrier suggestions."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest

from models import REQUIRES_SYNC, SYNCED, Order, Package, Store, SyncAttempt, utcnow
from tests.helpers import api_headers, make_store
from tests.test_pages import sign_in

SHOP = "acme.myshopify.com"


def add(app, store_id, external_id, *, placed=None, status=REQUIRES_SYNC, cause="store_configuration",
        carrier="UPS", customer=None, name=None, message="Fulfillment order is on hold", synced_at=None,
        voided=False, attempts=()):
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        order = Order(store_id=store_id, external_id=external_id, name=name,
                      requires_sync=status != SYNCED, customer_name=customer,
                      placed_at=placed or datetime(2026, 11, 20, 12, 0),
                      line_items=[{"id": "13001", "title": "Mug", "quantity": 1}])
        session.add(order)
        session.flush()
        package = Package(store_id=store_id, order_id=order.id, external_id=f"PKG-{external_id}",
                          tracking_number=f"1Z{external_id}", carrier=carrier,
                          items=[{"line_item_id": "13001", "quantity": 1}], status=status, attempts=1,
                          last_cause=cause if status == REQUIRES_SYNC else None, last_message=message,
                          synced_at=synced_at, voided=voided)
        session.add(package)
        session.flush()
        for at, outcome, attempt_cause, text in attempts:
            session.add(SyncAttempt(package_id=package.id, started_at=at, outcome=outcome, cause=attempt_cause,
                                    message=text))
        return order.id


@pytest.fixture
def store_id(app):
    return make_store(app, "shopify", SHOP)


@pytest.fixture
def get(client, settings):
    def get(path):
        response = client.get(path, headers=api_headers(settings, SHOP))
        assert response.status_code == 200, response.data
        return response.json if response.is_json else response
    return get


def names(data):
    return [o["name"] for o in data["orders"]]


def test_filters_by_status_cause_carrier_and_dates_and_sorts_by_date(app, store_id, get):
    add(app, store_id, "1", name="#1", placed=datetime(2026, 11, 1, 9), carrier="ups", cause="connection")
    add(app, store_id, "2", name="#2", placed=datetime(2026, 11, 15, 9), carrier="DHL Express")
    add(app, store_id, "3", name="#3", placed=datetime(2026, 11, 30, 23, 59), status=SYNCED, carrier="UPS")

    assert names(get("/api/orders?tab=all")) == ["#3", "#2", "#1"]
    assert names(get("/api/orders?tab=all&sort=date")) == ["#1", "#2", "#3"]
    assert names(get("/api/orders?tab=all&status=synced")) == ["#3"]
    assert names(get("/api/orders?tab=all&cause=connection")) == ["#1"]
    assert names(get("/api/orders?tab=all&carrier=UPS")) == ["#3", "#1"]  # the carrier's case does not matter
    assert names(get("/api/orders?tab=all&from=2026-11-15&to=2026-11-30")) == ["#3", "#2"]  # "to" is inclusive
    assert names(get("/api/orders?tab=all&to=2026-11-14")) == ["#1"]
    assert get("/api/orders?tab=all&carrier=dhl%20express&from=2026-11-02")["total"] == 1


@pytest.mark.parametrize("query, named", [
    ("status=lost", "status"), ("cause=bad", "cause"), ("sort=name", "sort"), ("from=yesterday", "from"),
    ("from=2026-12-02&to=2026-12-01", "from"), ("cursor=%%%", "cursor"), ("tab=mine", "tab"),
])
def test_bad_filters_are_400_naming_the_parameter(client, settings, store_id, query, named):
    response = client.get(f"/api/orders?{query}", headers=api_headers(settings, SHOP))
    assert response.status_code == 400 and named in response.json["error"]


def test_keyset_cursor_walks_every_order_once_and_page_still_works(app, store_id, get):
    start = datetime(2026, 11, 1)
    for n in range(7):  # two share a date: the id breaks the tie
        add(app, store_id, str(n), name=f"#{n}", placed=start + timedelta(days=min(n, 5)))

    seen, cursor = [], None
    while True:
        data = get("/api/orders?tab=all&per_page=3" + (f"&cursor={cursor}" if cursor else ""))
        seen += names(data)
        cursor = data["next_cursor"]
        if not cursor:
            break
    assert seen == ["#6", "#5", "#4", "#3", "#2", "#1", "#0"]
    assert names(get("/api/orders?tab=all&per_page=3&page=2")) == ["#3", "#2", "#1"]
    assert get("/api/orders?tab=all&per_page=3&page=3")["next_cursor"] is None


def test_a_cursor_from_another_sort_is_refused(client, settings, app, store_id, get):
    for n in range(3):
        add(app, store_id, str(n), name=f"#{n}", placed=datetime(2026, 11, 1 + n))
    cursor = get("/api/orders?tab=all&per_page=1")["next_cursor"]
    response = client.get(f"/api/orders?tab=all&sort=date&cursor={cursor}", headers=api_headers(settings, SHOP))
    assert response.status_code == 400 and "cursor" in response.json["error"]


def test_orders_carry_customer_admin_link_and_never_a_null_name(app, store_id, get):
    add(app, store_id, "5001", name=None, customer="Ada Lovelace")
    order = get("/api/orders?tab=all")["orders"][0]
    assert order["name"] == "#5001" and order["customer"] == "Ada Lovelace"
    origin = app.config["SETTINGS"].shopify_admin_origin.format(shop=SHOP)
    assert order["admin_url"] == f"{origin}/admin/orders/5001"


def test_admin_links_in_production_and_for_woocommerce():
    from admin.links import order_admin_url
    from config import Settings

    shop, woo = Store(platform="shopify", domain=SHOP), Store(platform="woocommerce", domain="https://shop.example.com")
    settings = Settings()
    assert order_admin_url(shop, settings, "gid://shopify/Order/5001") == \
        "https://admin.shopify.com/store/acme/orders/5001"
    assert order_admin_url(woo, settings, "77") == \
        "https://shop.example.com/wp-admin/admin.php?page=wc-orders&action=edit&id=77"


def test_timeline_lists_label_attempts_with_causes_correction_and_void(app, store_id, get):
    t = utcnow() - timedelta(minutes=10)
    order_id = add(app, store_id, "5001", status=SYNCED, voided=True, attempts=[
        (t + timedelta(seconds=1), "retry", "store_server", "Shopify had a server error (503)"),
        (t + timedelta(seconds=2), "synced", None, None),
        (t + timedelta(seconds=3), "tracking_updated", None, "1ZOLD → 1ZNEW"),
    ])
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        session.query(Package).filter_by(order_id=order_id).one().created_at = t  # the label came first

    events = get(f"/api/orders/{order_id}")["timeline"]
    assert [e["kind"] for e in events] == ["label_created", "attempt", "synced", "tracking_updated", "voided"]
    assert events[1]["cause"] == "store_server" and events[0]["tracking_number"] == "1Z5001"
    assert events == sorted(events, key=lambda e: e["at"])


def test_shipsyncs_own_messages_are_translated_the_stores_words_are_not(app, store_id, client, settings):
    add(app, store_id, "1", name="#1", message="Line item 13001 of order 5001 is on hold in Shopify: release the "
        "fulfillment hold on the order, then sync again")
    add(app, store_id, "2", name="#2", message="Sorry, this order cannot be fulfilled")
    spanish = client.get("/api/orders?tab=all&locale=es", headers=api_headers(settings, SHOP)).json["orders"]
    details = {o["name"]: o["packages"][0]["error"]["detail"] for o in spanish}
    assert details["#1"].startswith("El artículo 13001 del pedido 5001 está retenido en Shopify")
    assert details["#2"] == "Sorry, this order cannot be fulfilled"
    # Only the store's own words are presented as its answer.
    assert [o["packages"][0]["error"]["detail_from"] for o in sorted(spanish, key=lambda o: o["name"])] == \
        ["shipsync", "store"]


def test_csv_export_follows_the_filter_one_row_per_package(app, store_id, get):
    add(app, store_id, "1", name="#1", customer="=HYPERLINK(1)", cause="invalid_data", message="Bad tracking")
    add(app, store_id, "2", name="#2", status=SYNCED)

    response = get("/api/orders/export?status=requires_sync")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["order"] for r in rows] == ["#1"]
    assert rows[0]["cause"] == "invalid_data" and rows[0]["message"] == "Bad tracking"
    assert rows[0]["customer"] == "'=HYPERLINK(1)"  # never a formula in the merchant's spreadsheet
    assert len(list(csv.DictReader(io.StringIO(get("/api/orders/export").get_data(as_text=True))))) == 2


def test_csv_export_streams_past_one_chunk(app, store_id):
    from admin.filters import OrderFilter
    from admin.queries import iter_packages

    for n in range(5):
        add(app, store_id, str(n), name=f"#{n}", placed=datetime(2026, 11, 1) + timedelta(hours=n))
    rows = list(iter_packages(app.extensions["db_sessionmaker"], store_id, OrderFilter(tab="all"), chunk=2))
    assert [order.name for order, _ in rows] == ["#4", "#3", "#2", "#1", "#0"]


def test_summary_counts_today_attention_and_reauthorization(app, store_id, get):
    add(app, store_id, "1", status=SYNCED, synced_at=utcnow())
    add(app, store_id, "2", status=SYNCED, synced_at=utcnow() - timedelta(days=2))
    add(app, store_id, "3")
    add(app, store_id, "4", cause="token_expired")
    add(app, store_id, "5", cause="token_expired")
    assert get("/api/summary") == {"synced_today": 1, "needs_attention": 1, "waiting_reauth": 2}


def test_sync_only_the_chosen_orders(app, client, settings, store_id):
    chosen, other = add(app, store_id, "1"), add(app, store_id, "2")
    foreign = add(app, make_store(app, "shopify", "other-shop.myshopify.com", access_token="x"), "3")
    headers = api_headers(settings, SHOP)

    response = client.post("/api/sync", json={"order_ids": [chosen, foreign]}, headers=headers)

    assert response.status_code == 202
    progress = client.get(f"/api/sync/{response.json['batch_id']}", headers=headers).json
    assert progress["total"] == 1
    everything = client.post("/api/sync", headers=headers)
    assert client.get(f"/api/sync/{everything.json['batch_id']}", headers=headers).json["total"] == 2
    assert other


@pytest.mark.parametrize("body", [{"order_ids": []}, {"order_ids": ["1"]}, {"order_ids": 1}, [1], {"order_ids": [True]}])
def test_sync_with_bad_order_ids_is_400_and_starts_nothing(app, client, settings, store_id, body):
    from models import SyncBatch

    add(app, store_id, "1")
    response = client.post("/api/sync", json=body, headers=api_headers(settings, SHOP))
    assert response.status_code == 400 and "order_ids" in response.json["error"]
    with app.extensions["db_sessionmaker"]() as session:
        assert session.query(SyncBatch).count() == 0


def test_mass_sync_summary_groups_failures_by_cause(app, client, settings, store_id):
    for n in range(3):
        add(app, store_id, str(n), name=None if n == 0 else f"#{n}", cause="store_configuration")
    add(app, store_id, "9", name="#9", cause="invalid_data")
    headers = api_headers(settings, SHOP)
    batch = client.post("/api/sync", headers=headers).json["batch_id"]
    with app.extensions["db_sessionmaker"]() as session, session.begin():  # as the worker leaves them
        for package in session.query(Package):
            package.status = REQUIRES_SYNC

    progress = client.get(f"/api/sync/{batch}", headers=headers).json
    groups = progress["by_cause"]
    assert [(g["cause"], g["count"]) for g in groups] == [("store_configuration", 3), ("invalid_data", 1)]
    assert "#0" in [o["order_name"] for o in groups[0]["orders"]]  # never "null"
    assert all(o["admin_url"] for g in groups for o in g["orders"])


def test_carrier_suggestions_come_from_the_store(app, client, settings, store_id):
    shopify = client.get("/api/store", headers=api_headers(settings, SHOP)).json
    assert "UPS" in shopify["carrier_suggestions"] and "DHL Express" in shopify["carrier_suggestions"]

    woo = make_store(app, "woocommerce", "https://shop.example.com", options={"tracking_providers": [
        {"slug": "ups", "name": "UPS"}, {"slug": "correos", "name": "Correos Express"}, {"slug": "x"}, "junk"]})
    sign_in(client, woo)
    assert client.get("/api/store").json["carrier_suggestions"] == ["Correos Express", "UPS"]
    bare = make_store(app, "woocommerce", "https://bare.example.com", options={"tracking_providers": "junk"})
    sign_in(client, bare)
    assert client.get("/api/store").json["carrier_suggestions"] == []


def test_carrier_mapping_is_matched_ignoring_case():
    from sync.engine import mapped_carrier

    assert mapped_carrier("ups", {"UPS": "United Parcel Service"}) == "United Parcel Service"
    assert mapped_carrier(" Fedex ", {"FEDEX": "FedEx"}) == "FedEx"
    assert mapped_carrier("DPD", {"UPS": "X"}) == "DPD"


def test_a_carrier_mapped_twice_in_other_capitals_is_refused(client, settings, store_id):
    response = client.patch("/api/store/settings", json={"carrier_mapping": {"ups": "UPS", "UPS ": "X"}},
                            headers=api_headers(settings, SHOP))
    assert response.status_code == 400 and "twice" in response.json["error"]
    assert client.get("/api/store", headers=api_headers(settings, SHOP)).json["settings"]["carrier_mapping"] == {}


def test_page_title_favicon_and_skeleton_rows(client):
    page = client.get(f"/?shop={SHOP}").get_data(as_text=True)
    assert "<title>Shipment sync · ShipSync</title>" in page and "skeleton-row" in page
    assert "<title>Orders" not in page  # Shopify admin's own Orders page has that name
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"


def test_standalone_page_names_the_signed_in_store(app, client):
    sign_in(client, make_store(app, "woocommerce", "https://shop.example.com"))
    import re
    signed_in = re.search(r'<p class="signed-in subdued" id="signed-in">(.*?)</p>', client.get("/").get_data(as_text=True))
    assert signed_in and "Signed in to" in signed_in.group(1) and "shop.example.com" in signed_in.group(1)


@pytest.mark.parametrize("locale, heading", [("en", "Could not connect your store"),
                                             ("es", "No se pudo conectar tu tienda")])
def test_woocommerce_connect_error_page_is_styled_and_keeps_the_address(client, locale, heading):
    response = client.get(f"/auth/woocommerce?store_url=ftp://shop.example&locale={locale}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and heading in page
    assert "shipsync.css" in page and 'value="ftp://shop.example"' in page
