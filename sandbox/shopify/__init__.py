"""A sandbox Shopify: many shops behind one HTTP server, on the real Admin GraphQL schema.

    from sandbox.shopify import SandboxServer
    server = SandboxServer().start()          # server.admin_origin → SHOPIFY_ADMIN_ORIGIN
    server.store.create_shop("acme.myshopify.com")
    order = server.store.create_order("acme.myshopify.com", [{"title": "Mug", "quantity": 2}])

``python -m sandbox.shopify --port 8001`` runs it standalone; ``RemoteStore`` drives it.
"""
from .client import RemoteStore, SandboxControlError
from .server import SandboxServer
from .store import CONTROL_METHODS, FAULT_KINDS, ShopifyStore
from .tokens import make_session_token, verify_session_token

__all__ = ["SandboxServer", "ShopifyStore", "RemoteStore", "SandboxControlError", "CONTROL_METHODS",
           "FAULT_KINDS", "make_session_token", "verify_session_token"]
