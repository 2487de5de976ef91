"""The WooCommerce connector (REST ``wc/v3``), split by concern:

- ``signing``: how a store accepts keys (Basic / query over https, OAuth 1.0a over http);
- ``errors``: the one table from HTTP answers and exceptions to the stable causes;
- ``transport``: ``StoreClient._send``, the only code holding the HTTP client;
- ``orders`` and ``tracking``: pure build/parse functions (order → RemoteOrder, tracking
  payloads per backend, the ledger markers that count what shipped);
- ``backends``: native fulfillments, the Shipment Tracking API, order notes;
- ``connector``: ``WooCommerceConnector``, the Connector protocol in a few lines a method.

Why ``requests`` and not the PyPI ``woocommerce`` client: see the README paragraph in the
issue-4 report (no error handling, a per-call ``timeout`` bug, no injectable session, a
non-cryptographic nonce, and the query duplicated in signed URLs).
"""
from connectors.woocommerce.connector import WEBHOOK_TOPICS, WooCommerceConnector
from connectors.woocommerce.orders import merge_status, parse_order

__all__ = ["WooCommerceConnector", "WEBHOOK_TOPICS", "parse_order", "merge_status"]
