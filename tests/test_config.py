"""Settings from the environment (DESIGN §3)."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from config import ConfigError, load_settings
from crypto import TokenCipher
from logs import redact


def test_defaults_outside_production_need_nothing(tmp_path, monkeypatch):
    settings = load_settings({"APP_ENV": "test"})
    assert settings.sync_max_attempts == 3 and settings.sync_backoff_seconds == 1.5
    assert settings.shopify_api_version == "2026-07" and settings.sandbox is True
    assert settings.app_url == "http://127.0.0.1:8000"


def test_production_names_every_missing_secret():
    with pytest.raises(ConfigError) as error:
        load_settings({"APP_ENV": "production", "SECRET_KEY": "x"})
    for name in ("TOKEN_ENCRYPTION_KEY", "DATABASE_URL", "SHOPIFY_API_SECRET", "LABEL_WEBHOOK_SECRET"):
        assert name in str(error.value)
    assert "SECRET_KEY," not in str(error.value)


def test_numbers_are_checked():
    with pytest.raises(ConfigError, match="SYNC_MAX_ATTEMPTS"):
        load_settings({"APP_ENV": "test", "SYNC_MAX_ATTEMPTS": "three"})


def test_store_credentials_turn_the_sandbox_off():
    assert load_settings({"APP_ENV": "test", "SHOPIFY_API_KEY": "k"}).sandbox is False


def test_tokens_are_encrypted_and_keys_can_rotate():
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    stored = TokenCipher(old).encrypt_json({"access_token": "shpat_secret"})
    assert "shpat_secret" not in stored
    assert TokenCipher(f"{new},{old}").decrypt_json(stored) == {"access_token": "shpat_secret"}
    with pytest.raises(ValueError):
        TokenCipher(new).decrypt_json(stored)


@pytest.mark.parametrize("line", [
    "token shpat_abcdef123456 used", "POST /x?consumer_key=ck_1234567890abcdef&consumer_secret=cs_0987654321fedcba",
    "Authorization: Bearer eyJhbGciOi.abc.def", '{"access_token": "shpua_zzz", "refresh_token": "r-secret"}',
    "Authentication: bearer abcdef123456", "authorization: BEARER abcdef123456",  # any case
])
def test_secrets_never_reach_the_logs(line):
    cleaned = redact(line)
    for secret in ("abcdef123456", "1234567890abcdef", "0987654321fedcba", "eyJhbGciOi", "shpua_zzz", "r-secret"):
        assert secret not in cleaned


SECRET_WORDS = ["shpat_", "shpua_", "ck_", "cs_", "Bearer ", "access_token=", "Refresh_Token: ",
                "consumer_KEY=", 'client_secret"=', "code=", "Id_Token:", "subject_token=", "oauth_signature="]


def _redacted_by_every_pattern(line: str) -> str:
    import logs

    for pattern in logs.SECRET_PATTERNS:
        line = pattern.sub(r"\1[redacted]", line)
    return line


@pytest.mark.parametrize("word", SECRET_WORDS)
def test_each_secret_word_alone_is_redacted(word):
    line = f"GET /x?{word}abcdEF12345678 HTTP/1.1"
    assert redact(line) == _redacted_by_every_pattern(line) != line


FILLERS = ["BEARER ", "abcdEF12345678", " ", "&", '"', "/"]


@given(st.lists(st.sampled_from(SECRET_WORDS + FILLERS)).map("".join) | st.text())
def test_the_quick_look_for_secret_words_never_skips_a_line_the_patterns_would_redact(line):
    assert redact(line) == _redacted_by_every_pattern(line)
