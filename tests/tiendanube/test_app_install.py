"""Install through the app (issue 13 §1): /auth/tiendanube → the sandbox's authorize page →
/auth/tiendanube/callback → the token exchange against the sandbox, for real."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests
from sqlalchemy import select

from models import ACTIVE, REAUTH_REQUIRED, Store
from tests.tiendanube.app_helpers import pending_tasks


def _authorize(client, tn_sandbox, store) -> tuple[str, str]:
    """The merchant starts at ShipSync and accepts on Tiendanube: (code, state) for the callback."""
    start = client.get("/auth/tiendanube")
    assert start.status_code == 302
    location = urlsplit(start.headers["Location"])
    assert f"{location.scheme}://{location.netloc}" == tn_sandbox.url
    assert location.path == f"/apps/{tn_sandbox.app_id}/authorize"
    state = parse_qs(location.query)["state"][0]
    assert set(parse_qs(location.query)) == {"state"}  # no redirect_uri, no scope: app settings
    accepted = requests.post(start.headers["Location"], data={"store_id": store.store_id, "state": state},
                             allow_redirects=False, timeout=5)
    back = parse_qs(urlsplit(accepted.headers["Location"]).query)
    return back["code"][0], back["state"][0]


def _stored(app, store_id: str) -> Store | None:
    with app.extensions["db_sessionmaker"]() as session:
        return session.scalar(select(Store).where(Store.platform == "tiendanube", Store.domain == store_id))


def _token_of(app, store) -> str:
    return app.extensions["shipsync"].cipher.decrypt_json(store.credentials_encrypted)["access_token"]


def test_install_stores_the_token_under_user_id_and_signs_the_merchant_in(app, client, tn_sandbox, tn_store,
                                                                          redirect_to_app):
    code, state = _authorize(client, tn_sandbox, tn_store)

    done = client.get(f"/auth/tiendanube/callback?code={code}&state={state}")

    assert done.status_code == 302 and urlsplit(done.headers["Location"]).path == "/"
    store = _stored(app, str(tn_store.store_id))
    assert store is not None and store.status == ACTIVE
    assert _token_of(app, store) == tn_store.token  # the token the sandbox issued last
    assert tn_store.token not in (store.credentials_encrypted or "")  # encrypted at rest
    assert ("set_up_store", (store.id,)) in pending_tasks()  # webhooks and resume: the worker's
    with client.session_transaction() as browser:
        assert browser["store_id"] == store.id  # the standalone page is this store's


def test_user_id_as_a_string_is_the_same_store(app, client, tn_sandbox, tn_store, redirect_to_app):
    tn_sandbox.user_id_as_number = False
    try:
        code, state = _authorize(client, tn_sandbox, tn_store)
        assert client.get(f"/auth/tiendanube/callback?code={code}&state={state}").status_code == 302
    finally:
        tn_sandbox.user_id_as_number = True
    assert _stored(app, str(tn_store.store_id)) is not None


def test_a_reinstall_replaces_the_token_and_reactivates_the_store(app, client, tn_sandbox, tn_store,
                                                                  redirect_to_app):
    code, state = _authorize(client, tn_sandbox, tn_store)
    client.get(f"/auth/tiendanube/callback?code={code}&state={state}")
    first = _stored(app, str(tn_store.store_id))
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        session.get(Store, first.id).status = REAUTH_REQUIRED  # its token was refused meanwhile

    code, state = _authorize(client, tn_sandbox, tn_store)
    assert client.get(f"/auth/tiendanube/callback?code={code}&state={state}").status_code == 302

    again = _stored(app, str(tn_store.store_id))
    assert again.id == first.id and again.status == ACTIVE
    assert _token_of(app, again) == tn_store.token != _token_of(app, first)
    assert pending_tasks().count(("set_up_store", (first.id,))) == 2


def test_a_callback_this_browser_did_not_start_is_refused(app, client, tn_sandbox, tn_store, redirect_to_app):
    code, state = _authorize(client, tn_sandbox, tn_store)
    stranger = app.test_client()  # another browser, with a code and state it did not ask for

    assert stranger.get(f"/auth/tiendanube/callback?code={code}&state={state}").status_code == 403
    assert client.get(f"/auth/tiendanube/callback?code={code}&state=forged").status_code == 403
    assert _stored(app, str(tn_store.store_id)) is None


def test_a_state_is_single_use(app, client, tn_sandbox, tn_store, redirect_to_app):
    code, state = _authorize(client, tn_sandbox, tn_store)
    assert client.get(f"/auth/tiendanube/callback?code={code}&state={state}").status_code == 302

    assert client.get(f"/auth/tiendanube/callback?code={code}&state={state}").status_code == 403


def test_a_refused_code_stores_nothing_and_says_so(app, client, tn_sandbox, tn_store, redirect_to_app):
    """The token endpoint answers invalid_grant in an HTTP 200: the body decides."""
    code, state = _authorize(client, tn_sandbox, tn_store)
    requests.post(f"{tn_sandbox.url}/apps/authorize/token", timeout=5, data={  # someone used the code first
        "client_id": tn_sandbox.app_id, "client_secret": tn_sandbox.client_secret, "code": code})

    refused = client.get(f"/auth/tiendanube/callback?code={code}&state={state}")

    assert refused.status_code == 502 and "invalid_grant" in refused.text
    assert _stored(app, str(tn_store.store_id)) is None and pending_tasks() == []


def test_a_callback_without_a_code_is_a_400(client, tn_sandbox, redirect_to_app):
    start = client.get("/auth/tiendanube")
    state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]

    assert client.get(f"/auth/tiendanube/callback?state={state}").status_code == 400
