"""Blueprints that verify, record and enqueue — nothing slow, no store call."""


def webhook_url(app_url: str, platform: str, store_id: int) -> str:
    """Where a store sends its webhooks: Shopify signs with the app secret, so one URL serves
    every shop; WooCommerce signs with a per-store secret, so the URL names the store."""
    base = app_url.rstrip("/")
    return f"{base}/webhooks/shopify" if platform == "shopify" else f"{base}/webhooks/woocommerce/{store_id}"
