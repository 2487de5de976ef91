"""Getting stores in (Shopify OAuth, WooCommerce connect) and merchants signed in."""
