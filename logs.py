"""Logging set-up: secrets never reach a log line, whoever logs them."""
from __future__ import annotations

import logging
import re

# Shopify tokens (shpat_, shpua_…), WooCommerce keys (ck_/cs_), bearer tokens in any case
# (a platform may document "Authentication: bearer TOKEN"), and token-looking fields in
# logged URLs or bodies.
SECRET_PATTERNS = [
    re.compile(r"\b(shp[a-z]{2}_)[A-Za-z0-9]+"),
    re.compile(r"\b(c[ks]_)[A-Za-z0-9]{8,}"),
    re.compile(r"((?i:bearer)\s+)[A-Za-z0-9._\-]+"),
    re.compile(r"((?:access_token|refresh_token|consumer_secret|consumer_key|client_secret|code|id_token|"
               r"subject_token|oauth_signature)[\"']?\s*[=:]\s*[\"']?)[^\s&\"',}]+", re.IGNORECASE),
]


# Every pattern above starts with one of these words (this matches more, never less): a line
# with none of them — nearly every access log line — skips the four patterns.
_MAY_HOLD_SECRETS = re.compile(r"shp[a-z]{2}_|c[ks]_|bearer|token|secret|consumer_key|code|signature", re.IGNORECASE)


def redact(text: str) -> str:
    if not _MAY_HOLD_SECRETS.search(text):
        return text
    for pattern in SECRET_PATTERNS:
        text = pattern.sub(r"\1[redacted]", text)
    return text


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def configure_logging(level: int = logging.INFO) -> None:
    root = logging.getLogger()
    if not any(isinstance(f, RedactSecrets) for h in root.handlers for f in h.filters):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(RedactSecrets())
        root.addHandler(handler)
    root.setLevel(level)
    # urllib3 logs full URLs, which for WooCommerce over http carry OAuth signatures.
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    # One line per task executed is noise at this volume; ShipSync logs each outcome itself.
    logging.getLogger("huey").setLevel(logging.WARNING)
    logging.getLogger("huey.consumer").setLevel(logging.INFO)
