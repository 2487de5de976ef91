"""The per-store rate budget: unit maths, and a mass sync on a tiny bucket end to end."""
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from connectors.base import RateStatus
from models import Order, Package, SyncAttempt
from sync.rate_budget import RateBudget
from sync.shared_buckets import FileBuckets
from tests.helpers import install_shopify, label_payload, make_store, post_label, start_workers, wait_for


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_an_unknown_store_goes_at_once():
    assert RateBudget(clock=Clock()).reserve(1, 97) == 0


def status(available, maximum=2000, restore_rate=100, spent=0.0):
    return RateStatus(available=available, maximum=maximum, restore_rate=restore_rate, spent=spent)


def test_a_low_bucket_waits_until_the_requested_cost_and_a_margin_are_restored():
    clock = Clock()
    budget = RateBudget(clock=clock)
    budget.settle(1, 0, status(150))
    # 197 requested + 0.25 s of restore kept free = 222: short by 72 points at 100/s.
    assert budget.reserve(1, 197) == pytest.approx(0.72)
    clock.now += 0.73
    assert budget.reserve(1, 197) == 0


def test_reservations_charge_the_requested_cost_so_parallel_workers_do_not_all_go():
    clock = Clock()
    budget = RateBudget(clock=clock)
    budget.settle(1, 0, status(500, restore_rate=10))
    waits = [budget.reserve(1, 97) for _ in range(6)]
    # 500 → 403 → 306 → 209 → 112 → 15, then 99.5 (97 + 0.25 s of restore) is 8.45 s away at 10/s.
    assert waits[:5] == [0] * 5 and waits[5] == pytest.approx(8.45)
    assert budget.reserve(2, 97) == 0  # another store has its own bucket


def test_settling_refunds_what_was_not_spent_but_never_exceeds_what_the_store_reports():
    clock = Clock()
    budget = RateBudget(clock=clock)
    budget.settle(1, 0, status(400))
    assert budget.reserve(1, 97) == 0  # 303 left
    budget.settle(1, 97, status(1000, spent=14))  # our count: 303 + 83 = 386, below the store's 1000
    assert budget.buckets._buckets[1].available == pytest.approx(386)
    budget.settle(1, 0, status(50))  # another process spent: the store's word is the ceiling
    assert budget.buckets._buckets[1].available == 50


def test_a_reservation_not_used_goes_back():
    clock = Clock()
    budget = RateBudget(clock=clock)
    budget.settle(1, 0, status(300))
    assert budget.reserve(1, 97) == 0
    budget.release(1, 97)
    assert budget.buckets._buckets[1].available == 300


def test_the_file_beside_a_sqlite_database_is_one_bucket_however_many_processes_and_threads_ask(tmp_path):
    path = str(tmp_path / "shipsync.db.budget")
    clock = Clock()
    budgets = [RateBudget(FileBuckets(path), clock=clock) for _ in range(3)]  # as three processes hold it
    budgets[0].settle(1, 0, status(500, restore_rate=10))
    with ThreadPoolExecutor(12) as pool:
        waits = list(pool.map(lambda n: budgets[n % 3].reserve(1, 97), range(12)))
    # 500 holds five reservations of 97 (and the 2.5 points kept free), not one per process or thread.
    assert waits.count(0) == 5
    assert budgets[2].reserve(2, 97) == 0  # another store has its own bucket
    budgets[1].release(1, 97)
    assert budgets[0].reserve(1, 97) == 0


def test_a_budget_file_cut_short_holds_no_bucket_until_the_store_answers(tmp_path):
    path = tmp_path / "shipsync.db.budget"
    path.write_text('{"1": [40.0, 2000')
    budget = RateBudget(FileBuckets(str(path)), clock=Clock())
    assert budget.reserve(1, 97) == 0  # nothing known: the store's first answer will tell
    budget.settle(1, 0, status(40))
    assert budget.reserve(1, 97) > 0


def test_a_package_held_for_the_budget_goes_before_new_work_once_its_wait_is_over(app):
    """Its retry is scheduled with a priority (where the queue has them): the points it waited
    for are there when it is due, and they should not wait behind other stores' labels."""
    from sync import tasks
    from sync.queue import huey

    store_id = make_store(app)
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        package = Package(store_id=store_id, order=Order(store_id=store_id, external_id="5001"), external_id="PKG-1",
                          tracking_number="1Z1", carrier="UPS", items=[{"line_item_id": "1", "quantity": 1}])
        session.add(package)
        session.flush()
        package_id = package.id
    app.extensions["shipsync"].sync_engine.budget.settle(store_id, 0, status(0, restore_rate=1))
    huey.storage.flush_all()
    tasks.sync_package.call_local(package_id)
    (retry,) = huey.pending()  # the consumer moves it to the schedule until its time
    assert retry.args == (package_id,)
    assert retry.priority == (tasks.BUDGET_WAITED if huey.storage.priority else None)


def test_a_bucket_smaller_than_the_requested_cost_still_lets_work_through():
    budget = RateBudget(clock=Clock())
    budget.settle(1, 0, status(60, maximum=60, restore_rate=3))
    assert budget.reserve(1, 97) == 0


def test_a_mass_sync_on_a_tiny_bucket_is_paced_not_failed(app, client, shopify_store, worker):
    shop = "tiny.myshopify.com"
    shopify_store.create_shop(shop, restore_rate=20)  # a bucket of 400 points, 20 per second
    install_shopify(client, shop)
    orders = shopify_store.create_orders(shop, 25)
    for n, order in enumerate(orders):
        line = order["line_items"][0]["id"]
        assert post_label(client, label_payload(order_id=order["id"], package_id=f"T-{n}", tracking=f"1ZT{n:05d}",
                                                store=shop, items=[{"line_item_id": line, "quantity": 1}])
                          ).status_code == 202

    def all_synced():
        with app.extensions["db_sessionmaker"]() as session:
            return all(p.status == "synced" for p in session.scalars(select(Package))) and session.scalars(
                select(Package)).all()
    wait_for(all_synced, timeout=90, message="25 packages synced")
    with app.extensions["db_sessionmaker"]() as session:
        throttled = session.scalars(select(SyncAttempt).where(SyncAttempt.cause == "rate_limited")).all()
    assert len(throttled) <= 2  # learned from the first answers, then paced by the budget
    assert all(len(shopify_store.fulfillments(shop, o["id"])) == 1 for o in orders)


def test_an_install_import_larger_than_the_bucket_waits_for_it_instead_of_failing(app, client, shopify_store, worker):
    shop = "big.myshopify.com"
    shopify_store.create_shop(shop, restore_rate=50)  # a bucket of 1000: one 952-point page of orders at a time
    shopify_store.create_orders(shop, 120)
    install_shopify(client, shop)

    def imported():
        with app.extensions["db_sessionmaker"]() as session:
            return len(session.scalars(select(Order.id).where(Order.name.is_not(None))).all())
    wait_for(lambda: imported() == 120, timeout=60, message="120 orders imported")
    pages = shopify_store.requests(shop, operation="ShipSyncOpenOrders")
    assert not any(p["throttled"] for p in pages[1:])  # it waited for the bucket instead


def test_three_worker_processes_share_one_budget_per_store(app, client, shopify_store, settings):
    """The budget lives in Redis or the database, not in a process: three workers pace as one."""
    shop = "shared.myshopify.com"
    shopify_store.create_shop(shop, restore_rate=50)  # a bucket of 1000 points, 50 per second
    install_shopify(client, shop)
    orders = shopify_store.create_orders(shop, 80)
    workers = start_workers(settings, 3)
    try:
        wait_for(lambda: shopify_store.requests(shop, operation="ShipSyncOpenOrders"), timeout=90,
                 message="the install's import")  # three processes start slowly on a busy machine
        for n, order in enumerate(orders):
            line = order["line_items"][0]["id"]
            assert post_label(client, label_payload(order_id=order["id"], package_id=f"S-{n}", tracking=f"1ZS{n:05d}",
                                                    store=shop, items=[{"line_item_id": line, "quantity": 1}])
                              ).status_code == 202

        def synced():
            with app.extensions["db_sessionmaker"]() as session:
                return len(session.scalars(select(Package.id).where(Package.status == "synced")).all())
        wait_for(lambda: synced() == 80, timeout=120, message="80 packages synced")
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=15)
    # The install's import paces itself from its own answers (and waits out a THROTTLED page);
    # every other call — syncs and order reads, from any of the three processes — is budgeted.
    calls = [c for c in shopify_store.requests(shop, kind="graphql") if c["operation_name"] != "ShipSyncOpenOrders"]
    assert sum(1 for c in calls if c["throttled"]) <= 1, [c["operation_name"] for c in calls if c["throttled"]]
    assert all(len(shopify_store.fulfillments(shop, o["id"])) == 1 for o in orders)
