"""A stand-in for the Tiendanube / Nuvemshop admin's app page: the app framed, and the admin's
side of Nexo answered as the real admin does.

    GET  /admin/v2/apps/<app_id>?store=<id>   the merchant signed in to that store (cookie
                                              ``tn_store``, the same as the authorize page's)
                                              sees the app in a frame at ``sandbox.app_url``
                                              (the real admin's path, on the store's subdomain)
    POST /admin/v2/apps/<app_id>/session-token  → {token}: the store's session token, for the page

The page's script answers the app's Nexo messages ({type, payload} posted to the admin):
``app/connected`` (the admin is listening), ``app/auth/sessionToken`` ({token}: a JWT signed
HS256 with the app's client secret, ``storeId`` the store, a 5-minute ``exp`` — the lifetime
is not documented), ``app/store/info``; ``app/ready`` needs no answer. Every message the app
sent is kept in ``window.nexoMessages`` (and answered only when it came from the app's frame
and origin).
"""
from __future__ import annotations

import html
import json
import time
from urllib.parse import urlsplit

import jwt
from flask import Blueprint, Response, jsonify, request

from sandbox.common.control import current_sandbox

bp = Blueprint("tiendanube_admin", __name__, url_prefix="/admin/v2/apps")
SESSION_TOKEN_LIFETIME = 300

PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{app} · Sandbox Tiendanube admin</title>
<style>
  body {{ margin: 0; font-family: -apple-system, "Segoe UI", Roboto, sans-serif; background: #f5f5f5; }}
  header {{ background: #0050c3; color: #fff; padding: 10px 16px; font-size: 14px; }}
  iframe {{ border: 0; width: 100%; height: calc(100vh - 40px); display: block; }}
</style></head>
<body><header><b>Sandbox Tiendanube admin</b> · {store} · Aplicativos › {app}</header>
<iframe src="{src}" title="ShipSync" id="app"></iframe>
<script>
const frame = document.getElementById("app");
const appOrigin = new URL(frame.src).origin;
const storeInfo = {info};
window.nexoMessages = [];
async function sessionToken() {{
  const answer = await fetch("{token_url}", {{ method: "POST", credentials: "same-origin" }});
  return (await answer.json()).token;
}}
window.addEventListener("message", async (event) => {{
  if (event.source !== frame.contentWindow || event.origin !== appOrigin) return;
  const message = event.data || {{}};
  window.nexoMessages.push(message.type);
  const reply = (payload) => frame.contentWindow.postMessage({{ type: message.type, payload }}, appOrigin);
  if (message.type === "app/connected") reply({{}});
  else if (message.type === "app/auth/sessionToken") reply({{ token: await sessionToken() }});
  else if (message.type === "app/store/info") reply(storeInfo);
}});
</script></body></html>
"""


def _html(text: str, status: int) -> Response:
    return Response(text, status, {"Content-Type": "text/html; charset=utf-8"})


def _signed_in_store():
    """The store the merchant is signed in to: ``?store=`` signs in, else the cookie."""
    raw = request.args.get("store") or request.cookies.get("tn_store", "")
    return current_sandbox().stores.get(int(raw)) if raw.isdigit() else None


def session_token(sandbox, store_id: int, lifetime: int = SESSION_TOKEN_LIFETIME) -> str:
    """A session token as the admin hands one to an app (tests sign their own the same way)."""
    now = int(time.time())
    return jwt.encode({"storeId": store_id, "iat": now, "exp": now + lifetime}, sandbox.client_secret,
                      algorithm="HS256")


@bp.get("/<app_id>")
def app_page(app_id: str):
    sandbox, store = current_sandbox(), _signed_in_store()
    if app_id != str(sandbox.app_id):
        return _html("<h1>App not found</h1>", 404)
    if store is None:
        return _html("<h1>Sign in to a store first: ?store=&lt;store id&gt;</h1>", 400)
    if store.token is None:
        return _html(f'<h1>The app is not installed</h1><p><a href="/apps/{html.escape(app_id)}/authorize">'
                     "Install it</a></p>", 409)
    if not urlsplit(sandbox.app_url).scheme:
        return _html("<h1>The app has no URL configured</h1>", 400)
    info = {"id": str(store.store_id), "name": store.name, "url": f"{sandbox.url}/stores/{store.store_id}",
            "country": "BR", "language": "pt", "currency": "BRL"}
    page = PAGE.format(lang="pt-BR", app=html.escape(f"App {app_id}"), store=html.escape(store.name),
                       src=html.escape(sandbox.app_url), info=json.dumps(info).replace("<", "\\u003c"),
                       token_url=f"/admin/v2/apps/{html.escape(app_id)}/session-token")
    response = _html(page, 200)
    response.set_cookie("tn_store", str(store.store_id))
    return response


@bp.post("/<app_id>/session-token")
def issue_session_token(app_id: str):
    sandbox, store = current_sandbox(), _signed_in_store()
    if app_id != str(sandbox.app_id) or store is None or store.token is None:
        return jsonify(error="not signed in to a store with the app installed"), 403
    return jsonify(token=session_token(sandbox, store.store_id))
