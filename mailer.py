"""Sending e-mail: SMTP from the settings, or a file outbox (development, `make run`)."""
from __future__ import annotations

import smtplib
import ssl
import uuid
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path


def send(settings, message: EmailMessage) -> str:
    """Send (or, with MAIL_OUTBOX_DIR, write as a .eml file) one message; return where it went.

    Raises OSError / smtplib.SMTPException when the mail server refuses or cannot be reached.
    """
    if not message["From"]:
        message["From"] = settings.mail_from
    if settings.mail_outbox_dir:
        outbox = Path(settings.mail_outbox_dir)
        outbox.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        path = outbox / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(bytes(message))
        return str(path)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.store_timeout_seconds) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)
    return f"smtp://{settings.smtp_host}:{settings.smtp_port}"
