"""The Tiendanube / Nuvemshop connector, split by concern:

- ``config``: ``TiendanubeConfig`` (app id, secret, scopes, origins, API version, timeout, User-Agent);
- ``transport``: ``StoreClient._send``, the only code holding the HTTP client (credentials
  header, User-Agent, timeout, the bucket's headers, Link paging);
- ``pacing``: one model per store of its leaky bucket, shared by the process's connectors;
- ``errors``: the one table from answers and exceptions to the stable causes;
- ``ids``, ``orders``, ``fulfillment_orders``, ``webhooks``: pure build/parse functions;
- ``oauth``: the authorize URL and the code exchange (install);
- ``session_token``: the embedded page's Nexo session token, checked and turned into a store id;
- ``connector``: ``TiendanubeConnector``, the Connector protocol in a few lines a method;
- ``descriptor``: ``PLATFORM``, Tiendanube as the rest of ShipSync sees it (settings included);
- ``install`` and ``receiver``: the app-facing blueprints (OAuth install, ``/webhooks/tiendanube``),
  named by the descriptor's ``app_modules`` and imported by the app layer only.

The platform facts this follows, and the reading chosen where they conflict, are in
``connectors/tiendanube/README.md``.
"""
from connectors.tiendanube.config import TiendanubeConfig
from connectors.tiendanube.connector import TiendanubeConnector
from connectors.tiendanube.descriptor import PLATFORM
from connectors.tiendanube.oauth import TokenGrant, authorize_url, exchange_code
from connectors.tiendanube.webhooks import TOPICS as WEBHOOK_TOPICS
from connectors.tiendanube.webhooks import WebhookEvent, parse_webhook, verify_signature

__all__ = ["PLATFORM", "TiendanubeConnector", "TiendanubeConfig", "TokenGrant", "authorize_url", "exchange_code",
           "WEBHOOK_TOPICS", "WebhookEvent", "parse_webhook", "verify_signature"]
