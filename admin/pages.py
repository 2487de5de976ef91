"""The merchant's orders page (HTML). It reads the JSON API in admin/api.py."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

bp = Blueprint("pages", __name__)


def frame_ancestors(shop: str | None) -> str:
    """Shopify admin may frame the page for its own shop only; elsewhere nobody may."""
    if shop:
        return f"frame-ancestors https://{shop} https://admin.shopify.com"
    return "frame-ancestors 'none'"


@bp.after_app_request
def content_security_policy(response):
    if response.mimetype == "text/html":
        shop = request.args.get("shop")
        from connectors.shopify.oauth import valid_shop_domain

        response.headers["Content-Security-Policy"] = frame_ancestors(shop if shop and valid_shop_domain(shop) else None)
    return response


@bp.get("/")
def index():
    settings = current_app.config["SETTINGS"]
    return render_template("orders.html", api_key=settings.shopify_api_key, shop=request.args.get("shop"))
