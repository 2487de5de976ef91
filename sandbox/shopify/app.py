"""The sandbox's Flask app: Shopify's admin paths under /shops/<shop>/, control under /_sandbox/."""
from __future__ import annotations

import json

from flask import Flask, Response, jsonify, request

from . import admin, graphql_api, oauth
from .store import CONTROL_METHODS

_ADMIN = "/shops/<shop>/admin"


def create_app(store) -> Flask:
    app = Flask("sandbox.shopify")
    app.config["store"] = store

    @app.route(f"{_ADMIN}/oauth/authorize", methods=["GET", "POST"])
    def authorize(shop):
        entry = store.record(kind="authorize", shop=shop, method=request.method, path=request.path)
        args = {**request.args.to_dict(), **request.form.to_dict()}
        status, body, headers = oauth.authorize(store, shop, args, request.method)
        entry["status"] = status
        return Response(body, status=status, headers=headers)

    @app.post(f"{_ADMIN}/oauth/access_token")
    def access_token(shop):
        entry = store.record(kind="token", shop=shop, method="POST", path=request.path)
        form = request.get_json(silent=True) if request.is_json else request.form.to_dict()
        status, body, grant = oauth.access_token(store, shop, form or {})
        entry.update(status=status, grant=grant)
        return jsonify(body), status

    @app.post(f"{_ADMIN}/api/<version>/graphql.json")
    def graphql(shop, version):
        entry = store.record(kind="graphql", shop=shop, method="POST", path=request.path, api_version=version)
        answer = graphql_api.handle(store, shop, request.headers.get("X-Shopify-Access-Token"),
                                    request.get_data(), entry)
        entry["status"] = answer.status
        headers = {"X-Shopify-API-Version": version, **answer.headers}
        if isinstance(answer.body, str):
            return Response(answer.body, status=answer.status, headers=headers, content_type="text/html; charset=utf-8")
        return Response(json.dumps(answer.body), status=answer.status, headers=headers, content_type="application/json")

    @app.get(f"{_ADMIN}/apps/<api_key>")
    def embedded_app(shop, api_key):
        """Shopify admin's app page: the app in an iframe, opened with a fresh session token."""
        with store.lock:
            app_url = request.args.get("app_url") or (store.shops[shop].app_url if shop in store.shops else None)
        if api_key != store.api_key or not app_url:
            return Response("No such app installed in this sandbox shop", status=404)
        return Response(admin.app_page(store, shop, app_url, request.args.get("locale", "en"),
                                       request.args.get("order")),
                        content_type="text/html; charset=utf-8")

    @app.get(f"{_ADMIN}/orders/<int:order_id>")
    def order_page(shop, order_id):
        """Shopify admin's order page, with the app's admin link in More actions."""
        try:
            order = store.order(shop, order_id)
        except KeyError:
            return Response("No such order in this sandbox shop", status=404)
        return Response(admin.order_page(store, shop, order, request.args.get("locale", "en")),
                        content_type="text/html; charset=utf-8")

    @app.post("/_sandbox/<name>")
    def control(name):
        if name not in CONTROL_METHODS:
            return jsonify(error=f"unknown control {name!r}", methods=list(CONTROL_METHODS)), 404
        kwargs = request.get_json(silent=True) or {}
        try:
            return jsonify(result=getattr(store, name)(**kwargs))
        except (KeyError, ValueError, TypeError) as exc:
            return jsonify(error=f"{type(exc).__name__}: {exc}"), 400

    @app.get("/_sandbox/requests")
    def requests_log():
        return jsonify(result=store.requests(shop=request.args.get("shop"), kind=request.args.get("kind"),
                                             operation=request.args.get("operation")))

    @app.get("/")
    def index():
        with store.lock:
            shops = sorted(store.shops)
        return jsonify(sandbox="shopify", api_version=store.api_version, shops=shops,
                       control=[f"POST /_sandbox/{m}" for m in CONTROL_METHODS])

    return app
