"""Adding a platform is its folder plus one registration line: a made-up platform
(tests/fake_platform/: descriptor, connector, webhook receiver, sandbox store) runs a label
end to end — order webhook, label, sync, history, page API — with no edit elsewhere."""
from __future__ import annotations

import pytest
from sqlalchemy import select

import connectors
from connectors.platform import UnknownPlatform
from models import Order, Package, SyncAttempt
from tests.fake_platform import PLATFORM
from tests.fake_platform.sandbox import TOKEN, FakeStore
from tests.helpers import label_payload, live_port, live_server, make_store, post_label, wait_for  # noqa: F401


@pytest.fixture
def fake_store():
    store = FakeStore().start()
    yield store
    store.stop()


@pytest.fixture
def settings(settings, monkeypatch):
    monkeypatch.setitem(connectors.PLATFORMS, PLATFORM.name, PLATFORM)  # the one registration line
    return settings


def _rows(app, model, **where):
    with app.extensions["db_sessionmaker"]() as session:
        return session.scalars(select(model).filter_by(**where)).all()


def test_a_label_runs_end_to_end_through_a_platform_registered_with_one_line(app, client, worker, fake_store,
                                                                           live_server):
    store_id = make_store(app, platform="fake", domain=fake_store.url.upper() + "/", access_token=TOKEN)
    # The install follow-up registers the descriptor's webhook URL with the store.
    app.extensions["shipsync"].queue.set_up_store(store_id)
    wait_for(lambda: fake_store.webhook_url, message="webhooks registered")
    assert fake_store.webhook_url.endswith("/webhooks/fake")
    fake_store.webhook_url = live_server + "/webhooks/fake"

    fake_store.add_order("77", {"5": 2})
    first = fake_store.send_webhook("order/created", "77")
    assert first.status_code == 200 and first.json()["status"] == "read_back"
    assert fake_store.send_webhook("order/created", "77").json() == {"duplicate": True}
    assert fake_store.send_webhook("order/created", "77", secret="wrong").status_code == 401
    wait_for(lambda: [o for o in _rows(app, Order, store_id=store_id) if o.name == "#F77"],
             message="the order read back through the fake connector")

    response = post_label(client, label_payload(order_id="fake:77", platform="fake", store=fake_store.url,
                                                items=[{"line_item_id": "fake:5", "quantity": 2}]))
    assert response.status_code == 202, response.json
    package = wait_for(lambda: [p for p in _rows(app, Package, store_id=store_id) if p.status == "synced"],
                       message="synced in the fake store")[0]
    (fulfillment,) = fake_store.fulfillments["77"]
    assert fulfillment["tracking_number"] == "1Z999AA10123456784"
    assert fulfillment["items"] == [{"line_item_id": "5", "quantity": 2}]
    assert str(fulfillment["id"]) == package.fulfillment_id
    assert [a.outcome for a in _rows(app, SyncAttempt, package_id=package.id)] == ["synced"]

    with client.session_transaction() as browser:
        from auth.session import connect_generation
        from models import Store

        with app.extensions["db_sessionmaker"]() as session:
            browser["store_id"], browser["generation"] = store_id, connect_generation(session.get(Store, store_id))
    shown = client.get("/api/store").json
    assert shown["platform"] == "fake" and "/auth/fake?store=http" in shown["reauthorize_url"]


def test_an_unknown_platform_raises_instead_of_borrowing_another(client):
    with pytest.raises(UnknownPlatform):
        connectors.platform("prestashop")
    from stores import normalize_domain

    with pytest.raises(UnknownPlatform):
        normalize_domain("prestashop", "https://shop.example")
    refused = post_label(client, label_payload(platform="prestashop"))
    assert refused.status_code == 400 and "platform must be one of" in refused.json["error"]


def test_a_platforms_own_messages_are_shipsyncs_and_go_through_the_catalog(app, settings):
    from sync.messages import translate, written_by_shipsync

    with app.test_request_context():
        assert written_by_shipsync("The fake store refused order 77")
        assert translate("The fake store refused order 77") == "The fake store refused order 77."
        assert not written_by_shipsync("The fake store said no")  # the store's own words stay as they are


def test_the_signed_out_page_offers_every_registered_platforms_way_in(client):
    """The descriptor's ``sign_in``: a form per platform, its one input, its start endpoint."""
    from tests.helpers import sign_in_forms

    forms = sign_in_forms(client.get("/").text)
    fake = forms["fake"]
    assert (fake["action"], fake["method"]) == ("/auth/fake", "get")
    assert {k: fake["input"][k] for k in ("name", "type", "placeholder")} == {
        "name": "store", "type": "url", "placeholder": "https://fake.example"}
    assert (fake["label"], fake["button"]) == ("Fake store address", "Connect the fake store")
    assert set(forms) == {name for name, p in connectors.PLATFORMS.items() if p.sign_in}
    assert client.get(fake["action"], query_string={"store": "/?from=fake"}).headers["Location"] == "/?from=fake"
