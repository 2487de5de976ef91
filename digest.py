"""The daily failure digest: one e-mail per store listing what needs the merchant's attention.

Sent by the worker's periodic task at DIGEST_HOUR (UTC) when DIGEST_ENABLED, or now with
`flask --app app digest`. Nothing to say, nobody to tell, or already sent today: no e-mail.
The recipient is the store's contact e-mail (learned at install) or DIGEST_TO.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date
from email.message import EmailMessage

from flask_babel import force_locale
from sqlalchemy import select

import mailer
from connectors import platform
from models import ACTIVE, REAUTH_REQUIRED, REQUIRES_SYNC, Package, Store, utcnow
from sync import causes

log = logging.getLogger(__name__)

LISTED_PER_CAUSE = 10  # the page has the rest


def send_digests(app, today: date | None = None, store_ids: list[int] | None = None) -> int:
    """Send today's digest of every store that needs one (or of ``store_ids``); return how many went."""
    today = today or utcnow().date()
    sessionmaker = app.extensions["db_sessionmaker"]
    with sessionmaker() as session:
        query = select(Store.id).where(Store.status.in_((ACTIVE, REAUTH_REQUIRED)))
        if store_ids is not None:
            query = query.where(Store.id.in_(store_ids))
        candidates = session.scalars(query.order_by(Store.id)).all()
    return sum(_send_one(app, store_id, today) for store_id in candidates)


def _send_one(app, store_id: int, today: date) -> bool:
    settings = app.config["SETTINGS"]
    sessionmaker = app.extensions["db_sessionmaker"]
    with sessionmaker() as session, session.begin():
        store = session.execute(select(Store).where(Store.id == store_id).with_for_update()).scalar_one()
        recipient = (store.options or {}).get("contact_email") or settings.digest_to
        if (store.options or {}).get("digest_sent_on") == today.isoformat() or not recipient:
            return False
        waiting = session.scalars(select(Package).where(
            Package.store_id == store_id, Package.status == REQUIRES_SYNC, Package.voided.is_(False))
            .order_by(Package.updated_at.desc())).all()
        if not waiting and store.status != REAUTH_REQUIRED:
            return False
        with app.test_request_context(base_url=settings.app_url), force_locale("en"):
            message = compose(settings, store, waiting)
        # Claimed before sending, so two workers never both send it; given back if sending fails.
        store.options = {**(store.options or {}), "digest_sent_on": today.isoformat()}
    message["To"] = recipient
    try:
        where = mailer.send(settings, message)
    except Exception as error:  # noqa: BLE001 - any mail failure: say so, try again at the next run
        log.warning("store %s: the failure digest could not be sent (%s)", store_id, type(error).__name__)
        _unclaim(sessionmaker, store_id)
        return False
    log.info("store %s: failure digest sent (%s)", store_id, where)
    return True


def _unclaim(sessionmaker, store_id: int) -> None:
    with sessionmaker() as session, session.begin():
        store = session.get(Store, store_id)
        store.options = {k: v for k, v in (store.options or {}).items() if k != "digest_sent_on"}


def compose(settings, store: Store, waiting: list[Package]) -> EmailMessage:
    """The e-mail: what needs attention, grouped by cause with counts, and where to act."""
    from admin.api import reauthorize_url

    name = store.name or store.domain
    by_cause = defaultdict(list)
    for package in waiting:
        by_cause[package.last_cause or causes.INVALID_DATA].append(package)
    lines = [f"{len(waiting)} shipment(s) of {name} are not synchronized with your store."
             if waiting else f"Your store {name} needs your attention."]
    if store.status == REAUTH_REQUIRED:
        lines += ["", "ShipSync can no longer reach your store. Re-authorize it:", f"  {reauthorize_url(store)}"]
    for cause, packages in sorted(by_cause.items(), key=lambda item: -len(item[1])):
        explained = causes.explain(cause)
        lines += ["", f"{explained['message']} ({len(packages)})", f"What to do: {explained['fix']}"]
        for package in packages[:LISTED_PER_CAUSE]:
            order = package.order.name or f"order {package.order.external_id}"
            lines.append(f"  - {order}, package {package.external_id}: {package.last_message or cause}")
        if len(packages) > LISTED_PER_CAUSE:
            lines.append(f"  …and {len(packages) - LISTED_PER_CAUSE} more")
    lines += ["", f"Open ShipSync: {_app_link(settings, store)}", "",
              "You receive this e-mail once a day while shipments need your attention."]
    message = EmailMessage()
    message["Subject"] = (f"ShipSync: {len(waiting)} shipment(s) need your attention in {name}"
                          if waiting else f"ShipSync: {name} needs re-authorization")
    message["From"] = settings.mail_from
    message.set_content("\n".join(lines))
    return message


def _app_link(settings, store: Store) -> str:
    """Inside the store's admin when the platform embeds ShipSync there, else the app's own page."""
    return platform(store.platform).app_link(store, settings) or settings.app_url.rstrip("/") + "/"
