"""The label webhook's common case, which PostgreSQL stores in one statement: it answers and
records exactly what the general path does, and leaves every other case to it unchanged.
On SQLite the same tests check the general path."""
import concurrent.futures

import pytest
from sqlalchemy import func, select, text

from models import Order, Package, WebhookReceipt
from sync import queue
from tests.conftest import TEST_DATABASE_URL
from tests.helpers import label_payload, make_store, post_label, wait_for
from webhooks import label_storage
from webhooks.labels import parse_label


def _counts(app):
    with app.extensions["db_sessionmaker"]() as session:
        return tuple(session.scalar(select(func.count()).select_from(m)) for m in (Order, Package, WebhookReceipt))


def _accepted_tasks():
    return [task.args for task in queue.huey.pending() if task.name.endswith("label_accepted")]


def test_a_label_for_a_known_order_marks_it_for_sync_and_reads_nothing(app, client):
    store_id = make_store(app)
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        session.add(Order(store_id=store_id, external_id="5001", name="#1001", requires_sync=False))
    response = post_label(client, label_payload())
    assert response.status_code == 202 and response.json == {"package_id": "PKG-1", "status": "pending"}
    with app.extensions["db_sessionmaker"]() as session:
        order = session.scalar(select(Order))
        package = session.scalar(select(Package))
        assert (order.requires_sync, order.name, package.order_id) == (True, "#1001", order.id)
        receipt = session.scalar(select(WebhookReceipt))
        assert (receipt.source, receipt.store_id, receipt.topic, receipt.response) == (
            "labels", store_id, "label.created", {"package_id": "PKG-1", "status": "pending"})
    assert _accepted_tasks() == [(store_id, package.id, None)]  # no order import: we have it


def test_the_store_is_found_however_the_label_spells_its_domain(app, client):
    make_store(app)
    assert post_label(client, label_payload(store=" ACME.myshopify.com/")).status_code == 202
    assert _counts(app) == (1, 1, 1)


def test_a_recorded_delivery_whose_package_is_gone_is_answered_as_before_and_adds_nothing(app, client):
    make_store(app)
    first = post_label(client, label_payload())
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        session.delete(session.scalar(select(Package)))
    pending = queue.huey.pending_count()
    again = post_label(client, label_payload())
    assert again.status_code == 200 and again.json == first.json
    assert _counts(app) == (1, 0, 1)
    assert queue.huey.pending_count() == pending


def test_another_store_with_the_same_package_id_gets_its_own_package(app, client):
    acme = make_store(app)
    other = make_store(app, domain="other.myshopify.com")
    assert post_label(client, label_payload()).status_code == 202
    assert post_label(client, label_payload(store="other.myshopify.com", event_id="evt-other")).status_code == 202
    with app.extensions["db_sessionmaker"]() as session:
        assert sorted(session.scalars(select(Package.store_id))) == [acme, other]


def _post_all(app, payloads, threads=6):
    def post(payload):
        return post_label(app.test_client(), payload).status_code
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        return list(pool.map(post, payloads))


def test_labels_of_new_orders_at_once_make_each_order_once_and_read_it_once(app):
    store_id = make_store(app)
    payloads = [label_payload(order_id=str(7000 + n % 4), package_id=f"P-{n}", tracking=f"1ZAT{n:06d}")
                for n in range(24)]
    assert _post_all(app, payloads) == [202] * 24
    assert _counts(app) == (4, 24, 24)
    imports = sorted(order for _store, _package, order in _accepted_tasks() if order is not None)
    assert imports == ["7000", "7001", "7002", "7003"]
    assert len(_accepted_tasks()) == 24 and {s for s, _p, _o in _accepted_tasks()} == {store_id}


def test_copies_of_one_delivery_at_once_are_recorded_once(app):
    make_store(app)
    answers = _post_all(app, [label_payload()] * 6)
    assert sorted(answers) == [200] * 5 + [202]
    assert _counts(app) == (1, 1, 1)
    assert len(_accepted_tasks()) == 1


needs_postgres = pytest.mark.skipif(not TEST_DATABASE_URL, reason="the one-statement path is PostgreSQL's")


def _label(**fields):
    return parse_label(label_payload(**fields))


@needs_postgres
def test_the_one_statement_leaves_a_package_we_have_to_the_general_path_and_touches_nothing(app):
    store_id = make_store(app)
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        order = Order(store_id=store_id, external_id="5001", requires_sync=False)
        session.add(order)
        session.flush()
        session.add(Package(store_id=store_id, order_id=order.id, external_id="PKG-1", tracking_number="1Z1",
                            items=[{"line_item_id": "13001", "quantity": 1}], status="synced"))
    before = _order_row(app, "5001")
    assert label_storage.store_new_package(app.extensions["db_engine"], "labels", _label()) is None
    assert _order_row(app, "5001") == before  # not marked as needing sync, not touched
    assert _counts(app) == (1, 1, 0)


@needs_postgres
def test_a_copy_committed_while_the_statement_waits_makes_it_change_nothing(app):
    """Another request inserts the same package and commits while our statement waits on the
    unique key: our statement fails whole — no order of ours, no receipt — and says so."""
    store_id = make_store(app)
    with app.extensions["db_sessionmaker"]() as other:
        order = Order(store_id=store_id, external_id="9")
        other.add(order)
        other.flush()
        other.add(Package(store_id=store_id, order_id=order.id, external_id="PKG-1", tracking_number="1Z1",
                          items=[{"line_item_id": "13001", "quantity": 1}], status="pending"))
        other.flush()  # written, not committed: it holds the package's unique key
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            ours = pool.submit(label_storage.store_new_package, app.extensions["db_engine"], "labels",
                               _label(order_id="5001"))
            wait_for(lambda: _waiting_on_a_lock(app), timeout=10)  # on the other transaction's package row
            assert not ours.done()
            other.commit()
            assert ours.result(timeout=10) is None
    assert _order_row(app, "5001") is None  # our statement's order upsert went with it
    assert _counts(app) == (1, 1, 0)


def _waiting_on_a_lock(app) -> bool:
    with app.extensions["db_engine"].connect() as connection:
        return bool(connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )).scalar())


def _order_row(app, external_id):
    with app.extensions["db_sessionmaker"]() as session:
        order = session.scalar(select(Order).where(Order.external_id == external_id))
        return order and (order.requires_sync, order.updated_at)
