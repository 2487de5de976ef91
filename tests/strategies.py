"""Hypothesis strategies shared by the abuse suites (test_abuse_fuzz.py, test_abuse_platforms.py)."""
from __future__ import annotations

from hypothesis import strategies as st


def nul_in(text: st.SearchStrategy) -> st.SearchStrategy:
    """Two draws of ``text`` with a NUL between them."""
    return st.builds(lambda head, tail: f"{head}\x00{tail}", text, text)


def with_nul(text: st.SearchStrategy) -> st.SearchStrategy:
    """``text``, one time in four with a NUL inside. PostgreSQL refuses a NUL in any text value
    (a 500 on PostgreSQL alone, once one reaches a query), and plain text draws one too rarely
    to catch it; more often, and most requests would stop at the NUL check."""
    return st.one_of(text, text, text, nul_in(text))


# Keys the platforms' payloads use inside their objects (a customer's e-mail, a line's name…),
# so that odd values land where the app reads them, not only under keys it ignores.
KEYS = st.sampled_from(["id", "email", "name", "first_name", "last_name", "title", "sku", "quantity"])


def json_values(max_text: int, max_leaves: int) -> st.SearchStrategy:
    """Any JSON value, a little deep; its strings and keys sometimes hold a NUL."""
    return st.recursive(
        st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70)
        | st.floats(allow_nan=False, allow_infinity=False) | with_nul(st.text(max_size=max_text // 2)),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(with_nul(KEYS | st.text(max_size=10)), inner,
                                                                    max_size=4),
        max_leaves=max_leaves)


# A string with a NUL, alone or where a payload nests its strings (a customer's e-mail, a list of ids).
nul_values = st.recursive(
    nul_in(st.text(max_size=12)),
    lambda inner: st.lists(inner, min_size=1, max_size=3) | st.dictionaries(KEYS, inner, min_size=1, max_size=3),
    max_leaves=4)
