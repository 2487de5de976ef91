"""Security headers on every response (README "Security").

- HTML: a full Content-Security-Policy. Scripts only from ShipSync itself and the origins of
  the scripts embedding platforms' admins require first (``Embedding.host_script``: Shopify's
  App Bridge) — no inline script runs; the page's config is a JSON data block — no plugins, no
  ``<base>`` rewriting, and who may frame the page (``frame_ancestors``, from the page).
  No ``form-action``: the connect form's answer is a redirect to the merchant's store,
  which browsers would check against it.
- Everything: ``X-Content-Type-Options: nosniff``; ``Strict-Transport-Security`` in production.
- The API and pages: ``Cache-Control: no-store`` (a merchant's orders, a CSRF token).
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import request

HSTS = "max-age=31536000; includeSubDomains"


def host_script_origins() -> tuple[str, ...]:
    """The origins of every registered embedding's host script (the same on every page, so that
    an error page inside an admin can still load it)."""
    from connectors import PLATFORMS

    scripts = (d.embedding.host_script for d in PLATFORMS.values() if d.embedding and d.embedding.host_script)
    return tuple(dict.fromkeys(f"{urlsplit(s).scheme}://{urlsplit(s).netloc}" for s in scripts))


def page_policy(frame_ancestors: str) -> str:
    """The page policy, ending with the page's ``frame-ancestors …`` directive."""
    return "; ".join((
        "default-src 'self'",
        " ".join(("script-src 'self'", *host_script_origins())),
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        frame_ancestors,
    ))


def init_app(app) -> None:
    production = app.config["SETTINGS"].production

    @app.after_request
    def security_headers(response):
        response.headers["X-Content-Type-Options"] = "nosniff"
        if production:
            response.headers["Strict-Transport-Security"] = HSTS
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response
