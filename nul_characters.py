"""NUL characters ("\\x00"), which PostgreSQL cannot hold in a text value: psycopg refuses such a
query parameter outright, so a NUL that reaches a query or a row is a 500 instead of an answer.

Two rules, each applied once:

- What a caller types or sends us (query strings, the path, the merchant API's and the connect
  callback's bodies) is refused before any view runs: a 400 saying NUL is not allowed, nothing
  changed (``init_app``). No address, carrier, cursor or search term of ours has one.
- What a store sends inside a signed webhook is the store's data: its text is kept without the
  NUL and its ids are refused, field by field, where the data is read (``without_nul`` in
  ``sync.orders``; ``check_order_id`` and ``stored_fields`` in ``webhooks.orders``;
  ``webhooks.store_topics``). Deliveries under
  ``/webhooks/`` are therefore left alone here, and so is the label webhook, which names the
  field it refuses (``webhooks.labels``).
"""
from __future__ import annotations

from flask import abort, request

NUL = "\x00"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def contains_nul(value) -> bool:
    """Whether a string, or any key or string inside decoded JSON, holds a NUL."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_nul(v) for v in value)
    return False


def without_nul(value):
    """A string without its NUL characters; anything else as it is (a store may send a SKU as a number)."""
    return value.replace(NUL, "") if isinstance(value, str) else value


def init_app(app) -> None:
    app.before_request(refuse_nul)


def refuse_nul() -> None:
    """Abort 400 when the request's path, query or (outside webhooks) body holds a NUL."""
    if NUL in request.path:
        abort(400, description="the address must not contain NUL characters")
    # %00 (or a raw NUL) in the raw query string is the only way a decoded value gets one:
    # the common request pays a byte search, not a parse.
    raw_query = request.query_string
    if b"%00" in raw_query or b"\x00" in raw_query:
        for name, value in request.args.items(multi=True):
            if contains_nul(name):
                abort(400, description="query parameter names must not contain NUL characters")
            if contains_nul(value):
                abort(400, description=f"{name[:40]} must not contain NUL characters")
    if request.path.startswith("/webhooks/") or not request.get_data(cache=True):
        return
    if request.mimetype in _FORM_TYPES:
        body = request.form.to_dict(flat=False)
    else:
        # Not cached: a view that reads JSON only with a JSON content type must still see it so.
        body = request.get_json(force=True, silent=True, cache=False)
    if contains_nul(body):
        abort(400, description="the body must not contain NUL characters")
