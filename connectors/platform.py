"""The platform descriptor: everything the rest of ShipSync may know about one store platform.

Each ``connectors/<platform>/__init__.py`` exports one ``Platform`` as ``PLATFORM``;
``connectors.PLATFORMS`` maps names to them. Nothing outside ``connectors/<platform>/``
branches on a platform's name: it asks the descriptor.

Layering: the descriptor is built at import time from this package's own code only (the
connector class and pure functions). What needs the app's services — the sign-in/install
blueprint and the webhook receiver — is *named* here (``app_modules``, dotted module paths,
each exporting ``bp``), and only the app layer (``app.py``) imports those modules. So
``import connectors`` never loads ``sync/``, ``webhooks/``, ``auth/`` or ``admin/``.
"""
from __future__ import annotations

import dataclasses
from typing import Callable, Mapping

EMBEDDED, STANDALONE = "embedded", "standalone"


class UnknownPlatform(ValueError):
    """A platform name no descriptor is registered for: never fall into another's behaviour."""


class InvalidSessionToken(ValueError):
    """A session token this platform did not sign, or one expired or malformed."""


@dataclasses.dataclass(frozen=True)
class Setting:
    """One platform setting read from the environment: ``Settings.<field>`` from ``<env>``."""

    field: str
    env: str
    default: object = ""
    # Parses the raw value: ``str``, ``int``, ``float``, or a checker returning the value and
    # raising ValueError with what is wrong (the error names ``env``).
    kind: Callable = str
    required_in_production: bool = False
    # The published sandbox app's value (e.g. its client secret): the default outside
    # production only. Production never falls back to it (unset means ``default``, e.g. the
    # platform is off) and refuses it when it is set explicitly.
    sandbox_value: object = None
    # Production refuses anything but an https:// address (a sandbox's or a plain-http origin).
    https_in_production: bool = False

    def default_for(self, production: bool):
        """The value when the environment does not set it."""
        return self.default if production or self.sandbox_value is None else self.sandbox_value

    def refusal_in_production(self, value) -> str | None:
        """Why production must not start with ``value`` (None: it may)."""
        if self.sandbox_value is not None and value == self.sandbox_value:
            return f"{self.env} is the sandbox's published value: set your app's in production"
        if self.https_in_production and value and not str(value).lower().startswith("https://"):
            return f"{self.env} must be an https:// address in production"
        return None


def _nothing(*_args, **_kwargs):
    return None


def _no_carriers(_store) -> list[str]:
    return []


def _no_cost(_shipment) -> float:
    return 0.0


def _no_meta(_settings) -> dict:
    return {}


@dataclasses.dataclass(frozen=True)
class Embedding:
    """How an EMBEDDED platform's admin shows the orders page in its frame.

    The page (admin/pages.py), its security headers and its script ask this, never a platform
    name. What runs in the browser is the platform's *bridge*: an ES module shipped inside
    ``connectors/<platform>/`` and served at ``/embedded/<platform>/bridge.js``, exporting

    - ``start(config)`` → true when the page is inside the admin (false: the page falls back to
      the standalone sign-in);
    - ``sessionToken()`` → a fresh session token for the API (null when there is none);
    - optionally ``toast(text, isError)`` → true when the admin showed the toast itself.
    """

    # ``opened_by(args)``: the store address when the request's query says this platform's admin
    # opened the page ("" when the admin names no store in the URL), None when it did not.
    opened_by: Callable[[Mapping[str, str]], str | None]
    # ``frame_ancestors(store, settings)``: the origins that may frame the page (``store`` as
    # ``opened_by`` returned it).
    frame_ancestors: Callable[[str, object], list[str]]
    # The bridge module's file (absolute path, inside the platform's package).
    bridge: str
    # ``admin_name()``: the admin's name as the merchant knows it, in the page's language
    # (called during a request: it may use flask_babel).
    admin_name: Callable[[], str]
    # A script the admin requires before any other (App Bridge); its origin joins script-src.
    host_script: str = ""
    # ``head_meta(settings)``: ``<meta name=… content=…>`` the host script reads.
    head_meta: Callable = _no_meta
    # "module:function" run with the request's query when the admin opens the app home (e.g.
    # Shopify's token exchange). Named, not imported: it belongs to the app layer.
    on_load: str = ""
    # Query arguments a link into the page (an order link) keeps for the page itself.
    passed_on: tuple[str, ...] = ()


def _offered(_settings) -> bool:
    return True


@dataclasses.dataclass(frozen=True)
class SignIn:
    """How a merchant starts from ShipSync's own page (the signed-out page): a GET form to
    ``endpoint`` with the one input the start needs, or none when the platform's own page picks
    the store (an authorize page the merchant reaches signed in to their store)."""

    endpoint: str  # the Flask endpoint of the install / sign-in start
    # ``button()``: the button's text in the page's language (called during a request: it may
    # use flask_babel, as ``admin_name`` does).
    button: Callable[[], str]
    field: str = ""  # the query argument the start reads ("": no input)
    label: Callable = _nothing  # ``label()``: the input's label in the page's language
    placeholder: str = ""
    input_type: str = "text"  # the input's HTML type ("text", "url")
    # ``offered(settings)``: whether this ShipSync offers it (e.g. only once the platform's app is
    # configured; a start that would answer "not configured" is not shown).
    offered: Callable = _offered


@dataclasses.dataclass(frozen=True)
class Platform:
    """One store platform, as the engine, the webhooks, the pages and the app see it."""

    name: str
    # ``connector(access, settings, http=None)``: the ``connectors.base.Connector`` of one store.
    connector: type
    # The store's address as stored in ``Store.domain`` and as labels name it.
    normalize_store: Callable[[str], str]
    # ``webhook_path(store_row_id)``: where this platform's stores send their webhooks.
    webhook_path: Callable[[int], str]
    webhook_topics: tuple[str, ...]
    # Dotted modules each exporting a Flask ``bp`` (sign-in/install, webhook receiver):
    # imported and registered by the app layer only.
    app_modules: tuple[str, ...]
    # (endpoint, query argument naming the store) of the install/sign-in start: the page's
    # "re-authorize" link.
    reauthorize: tuple[str, str]
    page_mode: str  # EMBEDDED (inside the store's admin) or STANDALONE
    credential_fields: tuple[str, ...]  # the ``connectors.base.Credentials`` fields it uses
    sandbox: str  # dotted module of its sandbox store (sandbox/<platform>/)
    # How an id found in a label (order, line item) becomes the id ShipSync keeps.
    label_id: Callable[[str], str] = str
    # ``admin_order_url(store, settings, external_id)``: the order's page in the store's admin.
    admin_order_url: Callable = _nothing
    # ``app_link(store, settings)``: where the merchant opens ShipSync (e-mails); None: the app's URL.
    app_link: Callable = _nothing
    carrier_suggestions: Callable = _no_carriers  # (store) → carrier names the store knows
    # ``carrier_note()``: what the settings form says about the store's carrier names, in the
    # page's language (called during a request: it may use flask_babel), or None.
    carrier_note: Callable = _nothing
    key_info: Callable = _nothing  # (store) → the store key in use, for the page (or None)
    # Rate budget: points a package sync / an order read asks of the store's bucket (0: none).
    sync_cost: Callable = _no_cost
    read_cost: float = 0.0
    # EMBEDDED: ``session_token(token, settings)`` → the store address a session token names;
    # raises InvalidSessionToken for a token not its own.
    session_token: Callable | None = None
    embedding: Embedding | None = None  # EMBEDDED: how the admin frames the page
    settings: tuple[Setting, ...] = ()  # its own settings (``Settings.<field>``)
    # Its name as its connector writes it in a message ("Tiendanube did not answer within 10 s"):
    # the key of the texts every platform writes alike (``sync/messages.py``); "" when it writes
    # none of them. The page takes the name through the catalog (Brazil's Tiendanube is Nuvemshop).
    display_name: str = ""
    # Dotted module exporting ``PATTERNS``: ``[(compiled regex, lazy_gettext text)]`` that re-word
    # its connector's English messages in the page's language (``sync/messages.py``); named,
    # not imported, as ``app_modules`` are (it needs flask_babel).
    messages: str | None = None
    # ``check_settings(settings)``: raises ValueError naming the variable when its settings do
    # not make sense together (e.g. an app id without its secret).
    check_settings: Callable = _nothing
    # How a merchant starts from ShipSync's own signed-out page (None: only from the store's side).
    sign_in: SignIn | None = None

    def __post_init__(self):
        if self.page_mode not in (EMBEDDED, STANDALONE):
            raise ValueError(f"{self.name}: page_mode must be {EMBEDDED!r} or {STANDALONE!r}")
        if self.page_mode == EMBEDDED and (self.session_token is None or self.embedding is None):
            raise ValueError(f"{self.name}: an embedded page needs session_token and embedding")

    def webhook_url(self, app_url: str, store_id: int) -> str:
        return app_url.rstrip("/") + self.webhook_path(store_id)
