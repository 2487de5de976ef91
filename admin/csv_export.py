"""CSV lines for the orders export, one at a time, so a large store's export streams."""
from __future__ import annotations

import csv
import io

# Spreadsheet apps run a cell starting with these as a formula: a customer's name or a store's
# message could carry one. A leading apostrophe makes it text (OWASP's advice for CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def row(values) -> str:
    """One CSV line (with its line end) for ``values``."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([_cell(v) for v in values])
    return buffer.getvalue()
