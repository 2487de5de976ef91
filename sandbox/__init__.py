"""Local stores that play Shopify and WooCommerce for the demo, the tests and the benchmarks.

Nothing in the production code imports this package; the sandbox imports nothing from
the app except constants in ``config.py``.
"""
