"""The embedded page's Nexo session token (issue 13 §6): a JWT signed with the app's client
secret naming ``storeId``; only its signature and ``storeId`` are documented."""
from __future__ import annotations

import jwt
import pytest

from connectors.tiendanube.session_token import MAX_AGE_SECONDS, make_session_token, store_id_from_session_token

SECRET = "app-client-secret-of-at-least-32-bytes"
NOW = 1_800_000_000


def test_a_genuine_token_names_its_store_whatever_the_id_type():
    assert store_id_from_session_token(make_session_token(SECRET, 2093261, now=NOW), SECRET, now=NOW) == "2093261"
    assert store_id_from_session_token(make_session_token(SECRET, "2093261", now=NOW), SECRET, now=NOW) == "2093261"


@pytest.mark.parametrize("token", [
    make_session_token("another-apps-client-secret-32-bytes-long", 2093261, now=NOW),          # not ours
    make_session_token(SECRET, 2093261, lifetime=60, now=NOW - 3600),     # expired
    jwt.encode({"storeId": 2093261}, SECRET, algorithm="HS256"),          # never expires
    jwt.encode({"storeId": 2093261, "iat": NOW - MAX_AGE_SECONDS - 60}, SECRET, algorithm="HS256"),  # too old
    jwt.encode({"storeId": 2093261, "iat": NOW + 3600}, SECRET, algorithm="HS256"),  # from the future
    jwt.encode({"storeId": 2093261, "exp": "later"}, SECRET, algorithm="HS256"),
    jwt.encode({"iat": NOW, "exp": NOW + 60}, SECRET, algorithm="HS256"),  # no store
    jwt.encode({"storeId": "../1", "iat": NOW}, SECRET, algorithm="HS256"),
    jwt.encode({"storeId": 2093261, "iat": NOW}, None, algorithm="none"),  # unsigned
    "not-a-jwt",
])
def test_anything_else_is_refused(token):
    with pytest.raises(jwt.InvalidTokenError):
        store_id_from_session_token(token, SECRET, now=NOW)


def test_a_token_with_only_iat_is_accepted_while_fresh():
    token = jwt.encode({"storeId": 7, "iat": NOW - 60}, SECRET, algorithm="HS256")
    assert store_id_from_session_token(token, SECRET, now=NOW) == "7"


def test_no_secret_configured_accepts_nothing():
    with pytest.raises(jwt.InvalidTokenError):
        store_id_from_session_token(make_session_token(SECRET, 7, now=NOW), "", now=NOW)


def test_the_api_takes_a_nexo_session_token_as_its_stores_caller(app, client):
    """Registered, the descriptor's session_token binds an embedded page's API call to its store."""
    from tests.helpers import make_store

    make_store(app, "tiendanube", "2093261", access_token="tn-token")
    secret = app.config["SETTINGS"].tiendanube_client_secret

    answer = client.get("/api/store", headers={"Authorization": f"Bearer {make_session_token(secret, 2093261)}"})
    forged = client.get("/api/store", headers={"Authorization": f"Bearer {make_session_token(SECRET, 2093261)}"})

    assert answer.status_code == 200 and (answer.json["platform"], answer.json["store"]) == ("tiendanube", "2093261")
    assert forged.status_code == 401
