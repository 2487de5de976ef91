"""Headless Chromium for every browser test — tests/browser/ and a platform's own (tests/<p>/) —
through one Playwright for the whole session (a second sync Playwright in the same thread is
refused). Playwright's own browser download does not work here, so Debian's /usr/bin/chromium
is used (``make browser`` installs it); without it the tests that ask for ``browser`` are skipped.
"""
from __future__ import annotations

import os

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (make browser installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
