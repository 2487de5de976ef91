"""HMAC checks shared by every webhook source."""
from __future__ import annotations

import base64
import hashlib
import hmac

from crypto import same_secret


def base64_hmac_sha256(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def valid_base64_hmac(secret: str, body: bytes, signature: str | None) -> bool:
    if not signature or not secret:
        return False
    return same_secret(base64_hmac_sha256(secret, body), signature.strip())
