"""The daily failure digest, end to end: a real SMTP server (aiosmtpd) or the file outbox."""
from __future__ import annotations

import email
from email import policy

import pytest
from sqlalchemy import update

from models import Package, Store
from tests.helpers import install_shopify, label_payload, make_store, post_label, wait_for


@pytest.fixture
def smtp_server(live_port):
    """A real SMTP server on a free port that keeps every message it receives."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    class Keep(Message):
        def __init__(self):
            super().__init__()
            self.messages = []

        def handle_message(self, message):
            self.messages.append(message)

    handler = Keep()
    controller = Controller(handler, hostname="127.0.0.1", port=live_port)
    controller.start()
    yield handler
    controller.stop()


@pytest.fixture
def settings(settings, live_port):
    return settings.replace(smtp_host="127.0.0.1", smtp_port=live_port, smtp_starttls=False,
                            digest_to="ops@example.com", digest_enabled=True)


def needing_attention(app, client):
    store_id = make_store(app)
    for number, cause in enumerate(("store_configuration", "store_configuration", "invalid_data")):
        post_label(client, label_payload(order_id=f"50{number}", package_id=f"PKG-{number}", tracking=f"1ZT{number}"))
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        session.execute(update(Package).where(Package.external_id.in_(["PKG-0", "PKG-1"]))
                        .values(status="requires_sync", last_cause="store_configuration",
                                last_message="Line item 13001 is on hold in Shopify"))
        session.execute(update(Package).where(Package.external_id == "PKG-2")
                        .values(status="requires_sync", last_cause="invalid_data", last_message="Bad carrier"))
    return store_id


def test_the_digest_lists_what_needs_attention_grouped_by_cause(app, client, runner, smtp_server):
    needing_attention(app, client)
    result = runner.invoke(args=["digest"])
    assert result.exit_code == 0 and "sent 1 digest(s)" in result.output, result.output
    (message,) = smtp_server.messages
    assert message["To"] == "ops@example.com"
    assert message["Subject"] == "ShipSync: 3 shipment(s) need your attention in acme.myshopify.com"
    body = message.get_payload(decode=True).decode()
    assert "The store's set-up prevents the fulfillment" in body and "(2)" in body
    assert "The store rejected the shipment data. (1)" in body
    assert "package PKG-0: Line item 13001 is on hold in Shopify" in body
    assert "/admin/apps/" in body  # where to act: the app in the store's admin

    again = runner.invoke(args=["digest"])
    assert "sent 0 digest(s)" in again.output and len(smtp_server.messages) == 1  # once a day


def test_nothing_to_say_sends_nothing(app, runner, smtp_server):
    make_store(app)
    assert "sent 0 digest(s)" in runner.invoke(args=["digest"]).output
    assert smtp_server.messages == []


def test_a_store_needing_reauthorization_is_told_how(app, runner, smtp_server):
    make_store(app, status="reauth_required")
    runner.invoke(args=["digest"])
    (message,) = smtp_server.messages
    assert "needs re-authorization" in message["Subject"]
    assert "/auth/shopify?shop=acme.myshopify.com" in message.get_payload(decode=True).decode()


def test_the_worker_sends_it_at_the_configured_hour_only(app, client, smtp_server):
    from models import utcnow
    from sync import tasks

    needing_attention(app, client)
    services = app.extensions["shipsync"]
    hour = utcnow().hour
    services.settings = app.config["SETTINGS"].replace(digest_hour=(hour + 1) % 24)
    assert tasks.send_digests.call_local() == 0
    services.settings = app.config["SETTINGS"].replace(digest_hour=hour)
    assert tasks.send_digests.call_local() == 1 and len(smtp_server.messages) == 1


def test_an_unreachable_mail_server_is_tried_again_later(app, client, runner, settings, smtp_server):
    from app import create_app

    needing_attention(app, client)
    broken = create_app(settings.replace(smtp_port=1))
    assert "sent 0 digest(s)" in broken.test_cli_runner().invoke(args=["digest"]).output
    assert "sent 1 digest(s)" in runner.invoke(args=["digest"]).output


def test_the_file_outbox_keeps_the_digest_for_the_demo(app, client, settings, tmp_path):
    from app import create_app

    outbox = create_app(settings.replace(smtp_host="", mail_outbox_dir=str(tmp_path / "outbox")))
    needing_attention(outbox, client)
    assert "sent 1 digest(s)" in outbox.test_cli_runner().invoke(args=["digest"]).output
    (written,) = (tmp_path / "outbox").glob("*.eml")
    message = email.message_from_bytes(written.read_bytes(), policy=policy.default)
    assert message["To"] == "ops@example.com" and "3 shipment(s)" in message["Subject"]


def test_the_shop_owners_email_is_learned_at_install_and_preferred(app, client, runner, shopify_store,
                                                                   smtp_server, worker):
    shopify_store.create_shop("acme.myshopify.com")
    install_shopify(client, "acme.myshopify.com")

    def learned():
        with app.extensions["db_sessionmaker"]() as session:
            return (session.query(Store).one().options or {}).get("contact_email")
    assert wait_for(learned, message="the shop's contact e-mail") == "owner@acme.myshopify.com"
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        session.execute(update(Store).values(status="reauth_required"))
    runner.invoke(args=["digest"])
    (message,) = smtp_server.messages
    assert message["To"] == "owner@acme.myshopify.com"
