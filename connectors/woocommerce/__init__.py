"""The WooCommerce connector (REST ``wc/v3``), split by concern:

- ``signing``: how a store accepts keys (Basic / query over https, OAuth 1.0a over http);
- ``errors``: the one table from HTTP answers and exceptions to the stable causes;
- ``transport``: ``StoreClient._send``, the only code holding the HTTP client;
- ``orders`` and ``tracking``: pure build/parse functions (order → RemoteOrder, tracking
  payloads per backend, the ledger markers that count what shipped);
- ``backends``: native fulfillments, the Shipment Tracking API, order notes;
- ``connector``: ``WooCommerceConnector``, the Connector protocol in a few lines a method.

Why ``requests`` and not the PyPI ``woocommerce`` client (3.0.0): it is a thin URL builder
that raises nothing on 4xx/5xx or HTML answers, crashes when ``timeout=`` is passed per
call, calls ``requests.request`` directly (no pooled or injected session), draws its nonce
from ``random``, and repeats the query in signed URLs. Its one useful part, OAuth 1.0a
signing, is done here with oauthlib's RFC 5849 primitives and checked against signatures a
real WooCommerce accepted (sandbox/woocommerce/samples/vectors.json).

Non-secret per-store choices the connector reads from ``StoreAccess.options``:
``tracking_backend`` (native | shipment_tracking | note), ``tracking_namespace``,
``auth`` (basic | query | oauth | oauth_header) and ``home_url``.
"""
from connectors.woocommerce.connector import WEBHOOK_TOPICS, WooCommerceConnector
from connectors.woocommerce.descriptor import PLATFORM
from connectors.woocommerce.orders import merge_status, parse_order

__all__ = ["PLATFORM", "WooCommerceConnector", "WEBHOOK_TOPICS", "parse_order", "merge_status"]
