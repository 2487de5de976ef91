"""A local WooCommerce: one HTTP server that plays many stores, for tests, the demo and benchmarks.

It enforces what a real WooCommerce 10.0.2 store did in ``shared/woocommerce/samples``:
OAuth 1.0a over http with WooCommerce's exact 401 codes, the three tracking backends
(native fulfillments, Shipment Tracking, none) with Advanced Shipment Tracking switchable
at run time and its provider mapping, webhooks (creation ping, signed asynchronous
deliveries whose delivery id is shared within one second, disabling after failures), the
customer's view of notes and e-mails (WordPress typography included), the wc-auth
authorize page, and scripted faults. See ``control`` for the Python and HTTP control API.

    from sandbox.woocommerce import WooSandbox
    with WooSandbox() as sandbox:
        store = sandbox.create_store(backend="native", allow_http_callback=True)
        store.create_order([{"name": "Mug", "quantity": 2}])
        print(store.url)
"""
from sandbox.woocommerce.model import SandboxStore
from sandbox.woocommerce.server import WooSandbox

__all__ = ["WooSandbox", "SandboxStore"]
