"""The per-store rate budget: unit maths, and a mass sync on a tiny bucket end to end."""
from sqlalchemy import select

from connectors.base import RateStatus
from models import Package, SyncAttempt
from sync.rate_budget import RateBudget
from tests.helpers import install_shopify, label_payload, post_label, wait_for


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_an_unknown_store_goes_at_once():
    assert RateBudget().reserve(1) == 0


def test_a_low_bucket_waits_until_the_requested_cost_is_restored():
    clock = Clock()
    budget = RateBudget(clock)
    budget.observe(1, RateStatus(available=280, maximum=2000, restore_rate=100))
    assert budget.reserve(1, required=300, spend=30) == 0.2
    clock.now += 0.2
    assert budget.reserve(1, required=300, spend=30) == 0


def test_reservations_spend_points_so_threads_do_not_all_go():
    clock = Clock()
    budget = RateBudget(clock)
    budget.observe(1, RateStatus(available=360, maximum=2000, restore_rate=10))
    waits = [budget.reserve(1, required=300, spend=30) for _ in range(4)]
    assert waits == [0, 0, 0, 3.0]  # 360 → 330 → 300 → 270: short of 300 by 30 points at 10/s
    assert budget.reserve(2, required=300, spend=30) == 0  # another store has its own bucket


def test_a_bucket_smaller_than_the_requested_cost_still_lets_work_through():
    budget = RateBudget(Clock())
    budget.observe(1, RateStatus(available=200, maximum=200, restore_rate=10))
    assert budget.reserve(1, required=300, spend=30) == 0


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
