"""A local Tiendanube / Nuvemshop: one HTTP server playing the auth origin and the API origin
of one app for many stores, for tests, the demo and benchmarks.

It enforces the platform facts of ``shared/tiendanube/README.md`` (listed, with the reading
chosen where they conflict, in ``connectors/tiendanube/README.md``): the OAuth code grant
with errors in 200 bodies and token replacement, the ``Authentication: bearer`` header,
a required ``User-Agent``, the leaky bucket and its ``x-rate-limit-*`` headers, orders with
ULID fulfillment orders and their state rules, webhooks CRUD and signed deliveries with the
platform's retry schedule, and scripted faults.

    from sandbox.tiendanube import TiendanubeSandbox
    with TiendanubeSandbox() as sandbox:
        store = sandbox.create_store()
        token = sandbox.install(store)
        order = store.create_order([{"name": "Caneca", "quantity": 2, "location": "SP"}])
        print(f"{sandbox.url}/2025-03/{store.store_id}/orders/{order['id']}")
"""
from sandbox.tiendanube.model import SandboxStore
from sandbox.tiendanube.server import APP_ID, CLIENT_SECRET, TiendanubeSandbox

__all__ = ["TiendanubeSandbox", "SandboxStore", "APP_ID", "CLIENT_SECRET"]
