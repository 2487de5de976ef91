"""A made-up store platform, shipped only with the tests: the proof that a platform is its
own folder plus one registration line (``connectors.register(PLATFORM)``).

- ``connector``: ``FakeConnector``, the ``connectors.base.Connector`` over plain HTTP;
- ``sandbox``:   ``FakeStore``, a real HTTP server holding orders and fulfillments;
- ``blueprints``: its app-facing module (sign-in and webhook receiver), imported by the app only;
- ``messages``: its failure messages re-worded in the page's language;
- ``sign_in``: its way in from ShipSync's own signed-out page.
"""
from connectors.platform import STANDALONE, Platform, SignIn

from .connector import WEBHOOK_TOPICS, FakeConnector

PLATFORM = Platform(
    name="fake",
    connector=FakeConnector,
    normalize_store=lambda raw: (raw or "").strip().lower().rstrip("/"),
    label_id=lambda value: value.removeprefix("fake:"),  # the shipping platform writes "fake:77"
    webhook_path=lambda _store_id: "/webhooks/fake",
    webhook_topics=WEBHOOK_TOPICS,
    app_modules=("tests.fake_platform.blueprints",),
    reauthorize=("fake_platform.fake_auth.start", "store"),
    page_mode=STANDALONE,
    credential_fields=("access_token",),
    sandbox="tests.fake_platform.sandbox",
    admin_order_url=lambda store, _settings, order_id: f"{store.domain}/admin/orders/{order_id}",
    messages="tests.fake_platform.messages",
    sign_in=SignIn("fake_platform.fake_auth.start", button=lambda: "Connect the fake store", field="store",
                   label=lambda: "Fake store address", placeholder="https://fake.example", input_type="url"),
)
