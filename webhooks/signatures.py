"""HMAC checks shared by every webhook source."""
from __future__ import annotations

import base64
import hashlib
import hmac


def base64_hmac_sha256(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def valid_base64_hmac(secret: str, body: bytes, signature: str | None) -> bool:
    """Constant-time comparison, so the signature cannot be guessed byte by byte."""
    if not signature or not secret:
        return False
    return hmac.compare_digest(base64_hmac_sha256(secret, body), signature.strip())
