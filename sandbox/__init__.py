"""Local stores that play Shopify, WooCommerce and Tiendanube for the demo, the tests and the
benchmarks: one package per platform, and ``common`` for what they share (the server and its
lifecycle, webhook delivery, scripted faults, the control API's plumbing, the CLI's wait).

Nothing in the production code imports this package; the sandbox imports nothing from
the app except constants in ``config.py``.
"""
