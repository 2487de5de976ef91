"""The merchant's pages and the JSON API they read."""
