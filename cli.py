"""The operator's commands: `flask --app app stores | sync | rotate-keys | digest`.

Each command works through the same services as the web and the worker (nothing here
talks to a store directly): `sync` queues work for the worker, as the merchant's buttons do.
"""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from models import REQUIRES_SYNC, Order, Package, Store
from connectors import PLATFORMS
from stores import normalize_domain


def register(app) -> None:
    for command in (stores_command, sync_command, rotate_keys_command, digest_command):
        app.cli.add_command(command)


def _services():
    from flask import current_app

    return current_app.extensions["shipsync"]


def _sessionmaker():
    from flask import current_app

    return current_app.extensions["db_sessionmaker"]


def find_store_arg(session, value: str) -> Store:
    """A store named by its id, shop domain or store URL; a click error when none or several match."""
    if value.isdigit() and (store := session.get(Store, int(value))) is not None:
        return store
    matches = session.scalars(select(Store).where(Store.domain.in_(
        {normalize_domain(name, value) for name in PLATFORMS}))).all()
    if len(matches) != 1:
        raise click.BadParameter(f"no store {value!r}" if not matches else f"{value!r} names several stores; "
                                 "use its id", param_hint="--store")
    return matches[0]


@click.command("stores")
@with_appcontext
def stores_command():
    """List the stores with their status and how many packages need attention."""
    with _sessionmaker()() as session:
        attention = dict(session.execute(select(Package.store_id, func.count()).where(
            Package.status == REQUIRES_SYNC, Package.voided.is_(False)).group_by(Package.store_id)).all())
        stores = session.scalars(select(Store).order_by(Store.id)).all()
        click.echo(f"{'id':>5}  {'platform':<12} {'status':<16} {'attention':>9}  store")
        for store in stores:
            click.echo(f"{store.id:>5}  {store.platform:<12} {store.status:<16} {attention.get(store.id, 0):>9}  "
                       f"{store.domain}")
        click.echo(f"{len(stores)} store(s)")


@click.command("sync")
@with_appcontext
@click.option("--store", "store_arg", required=True, help="store id, shop domain or store URL")
@click.option("--order", "order_arg", default=None, help="the store's order id (default: every order that needs it)")
def sync_command(store_arg: str, order_arg: str | None):
    """Synchronize one order, or every package of a store that needs it (queued for the worker)."""
    service = _services().sync_service
    with _sessionmaker()() as session:
        store = find_store_arg(session, store_arg)
        store_id, domain = store.id, store.domain
        order_id = None
        if order_arg is not None:
            order_id = session.scalar(select(Order.id).where(Order.store_id == store_id,
                                                            Order.external_id == order_arg.rsplit("/", 1)[-1]))
            if order_id is None:
                raise click.BadParameter(f"store {domain} has no order {order_arg!r}", param_hint="--order")
    if order_id is not None:
        click.echo(f"queued {len(service.sync_order(store_id, order_id))} package(s) of order {order_arg} "
                   f"of {domain}")
    else:
        click.echo(f"queued the synchronization of {domain} (batch {service.sync_all(store_id)})")


@click.command("rotate-keys")
@with_appcontext
def rotate_keys_command():
    """Re-encrypt every store's credentials under the first key of TOKEN_ENCRYPTION_KEY.

    Rotation: put the new key first and keep the old one after it (comma-separated),
    run this, then remove the old key.
    """
    cipher = _services().cipher
    rotated = 0
    with _sessionmaker()() as session, session.begin():
        for store in session.scalars(select(Store).where(Store.credentials_encrypted.is_not(None))):
            store.credentials_encrypted = cipher.rotate(store.credentials_encrypted)
            rotated += 1
    click.echo(f"re-encrypted the credentials of {rotated} store(s) under the newest key")


@click.command("digest")
@click.option("--store", "store_arg", default=None, help="only this store (id, shop domain or store URL)")
@with_appcontext
def digest_command(store_arg: str | None):
    """Send today's failure digest now (each store at most once a day), whatever DIGEST_HOUR says."""
    from flask import current_app

    import digest

    settings = current_app.config["SETTINGS"]
    if not (settings.smtp_host or settings.mail_outbox_dir):
        raise click.UsageError("set SMTP_HOST (or MAIL_OUTBOX_DIR) to send the digest")
    store_ids = None
    if store_arg is not None:
        with _sessionmaker()() as session:
            store_ids = [find_store_arg(session, store_arg).id]
    click.echo(f"sent {digest.send_digests(current_app, store_ids=store_ids)} digest(s)")
