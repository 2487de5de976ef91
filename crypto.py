"""Encryption at rest for store credentials (Fernet: AES-128-CBC + HMAC-SHA256)."""
from __future__ import annotations

import hmac
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


def same_secret(expected: str, received: str | None) -> bool:
    """Constant-time comparison, so a secret cannot be guessed byte by byte.

    Compared as UTF-8 bytes: ``hmac.compare_digest`` raises on non-ASCII text, and a header
    is whatever a stranger sends."""
    return hmac.compare_digest(expected.encode(), (received or "").encode("utf-8", "surrogateescape"))


class TokenCipher:
    """Encrypts and decrypts small secrets.

    ``key`` may hold several comma-separated keys: the first encrypts, all decrypt,
    so TOKEN_ENCRYPTION_KEY can be rotated without losing stored tokens.
    """

    def __init__(self, key: str):
        self._fernet = MultiFernet([Fernet(k.strip().encode()) for k in key.split(",") if k.strip()])

    def encrypt_json(self, value: dict) -> str:
        return self._fernet.encrypt(json.dumps(value).encode()).decode()

    def rotate(self, token: str) -> str:
        """The same secret encrypted under the first (newest) key. Raises ValueError as decrypt_json."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken:
            raise ValueError("stored credentials cannot be decrypted with TOKEN_ENCRYPTION_KEY") from None

    def decrypt_json(self, token: str) -> dict:
        """Raises ValueError when the token was not made with any configured key."""
        try:
            return json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken:
            raise ValueError("stored credentials cannot be decrypted with TOKEN_ENCRYPTION_KEY") from None
