"""Abuse suite, Tiendanube's own entry points (issue 8's properties, issue 13 §9); the shared
per-platform part (oversized, malformed, forged, unknown store, signed fuzz) runs through
tests/tiendanube/driver.py in tests/test_abuse_platforms.py. Here: unsigned junk under any
signature bytes, and odd install callbacks — never a 5xx, nothing changed without a valid
signature or state."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from models import Store
from tests.helpers import make_store, row_counts

FUZZ = hypothesis_settings(max_examples=150, deadline=None, database=None, derandomize=True,
                           suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
odd_text = st.text(alphabet=st.characters(codec="latin-1", exclude_characters="\r\n\x00"), max_size=300)


def _tiendanube_stores(app) -> int:
    with app.extensions["db_sessionmaker"]() as session:
        return session.query(Store).filter_by(platform="tiendanube").count()


def test_unsigned_junk_changes_nothing(app, client):
    make_store(app, "tiendanube", "2093261", access_token="tn-token")
    before = row_counts(app)

    @FUZZ
    @given(body=st.binary(max_size=300), signature=odd_text.map(lambda s: s[:80]))
    def post(body, signature):
        answer = client.post("/webhooks/tiendanube", data=body, headers={"x-linkedstore-hmac-sha256": signature})
        assert answer.status_code == 401
    post()
    assert row_counts(app) == before


def test_odd_install_callbacks_are_refused_without_a_5xx(app, client):
    @FUZZ
    @given(params=st.dictionaries(st.sampled_from(["code", "state", "error", "user_id"]), odd_text, max_size=4))
    def call(params):
        answer = client.get("/auth/tiendanube/callback", query_string=params)
        assert answer.status_code in (400, 403)
    call()
    assert _tiendanube_stores(app) == 0


def test_odd_codes_in_a_started_install_are_refused_without_a_5xx(app, client):
    """The browser's own state, then a code the token endpoint refuses or that is no code at all."""
    @hypothesis_settings(FUZZ, max_examples=40)
    @given(code=odd_text)
    def call(code):
        state = parse_qs(urlsplit(client.get("/auth/tiendanube").headers["Location"]).query)["state"][0]
        answer = client.get("/auth/tiendanube/callback", query_string={"state": state, "code": code})
        assert answer.status_code in (400, 502), (code, answer.status_code)
    call()
    assert _tiendanube_stores(app) == 0


def test_without_an_app_id_the_install_does_not_start(app, client, settings):
    from app import create_app

    off = create_app(settings.replace(tiendanube_app_id="", tiendanube_client_secret="")).test_client()
    assert off.get("/auth/tiendanube").status_code == 404
