from tests.test_woocommerce_sync import *
def test_dbg(client, app, woo_connected, worker):
    store = woo_connected.store
    order = store.create_order(LINES, status="cancelled")
    import time; time.sleep(2)
    print(store.deliveries())
