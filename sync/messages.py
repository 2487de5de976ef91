"""ShipSync's own messages about a failure, in the merchant's language.

Connectors write their messages in English (they also go to the logs and the attempt rows).
The page shows them translated: each message ShipSync writes is matched here or in the
platform's own table (its descriptor's ``messages`` module) and re-worded through the
catalog; the parts that come from the store (its order number, its own error text) are
carried over as they are. A message not listed is the store's own words and stays as the
store wrote it.
"""
from __future__ import annotations

import functools
import importlib
import re

from flask_babel import gettext, lazy_gettext as _l

# What every platform's connector writes alike, its display name (``Platform.display_name``)
# where {platform} stands: "Tiendanube did not answer within 10 s". Portuguese says "a
# {platform}", right for Shopify and Nuvemshop; a platform whose name takes "o" wants its own rows.
_EVERY_PLATFORM = [
    (r"{platform} did not answer within (?P<seconds>[\d.]+) s", _l("{platform} did not answer within {seconds} s.")),
    (r"Could not reach {platform} \(connection failed\)", _l("Could not reach {platform} (connection failed).")),
    (r"{platform} had a server error \((?P<status>\d+)\)", _l("{platform} had a server error ({status}).")),
    (r"{platform} asked ShipSync to slow down \(429\)",
     _l("{platform} asked ShipSync to slow down (too many requests); ShipSync continues by itself.")),
]

# Written by ShipSync itself, whatever the platform.
_SHIPSYNC = [
    (re.compile(r"The order was cancelled in the store\."), _l("The order was cancelled in the store.")),
]


def _every_platform_patterns(names: list[str]) -> list:
    """The shared rows for each platform's display name, which the match hands on as ``platform``."""
    return [(re.compile(pattern.replace("{platform}", f"(?P<platform>{re.escape(name)})")), text)
            for name in names for pattern, text in _EVERY_PLATFORM]


def _patterns() -> list:
    from connectors import PLATFORMS

    return _patterns_of(tuple(PLATFORMS.values()))


@functools.cache  # every package on the orders page is translated: compile the table once
def _patterns_of(descriptors: tuple) -> list:
    own = [entry for descriptor in descriptors if descriptor.messages
           for entry in importlib.import_module(descriptor.messages).PATTERNS]
    shared = _every_platform_patterns([d.display_name for d in descriptors if d.display_name])
    return _SHIPSYNC + shared + own


def _match(message: str):
    for pattern, text in _patterns():
        match = pattern.fullmatch(message.strip())
        if match:
            return text, match
    return None, None


def _fields(match: re.Match) -> dict:
    fields = match.groupdict()
    if "platform" in fields:  # the platform's name in the page's language (Brazil's Tiendanube is Nuvemshop)
        fields["platform"] = gettext(fields["platform"])
    return fields


def translate(message: str | None) -> str | None:
    """``message`` in the request's language when ShipSync wrote it; the store's words unchanged."""
    text, match = _match(message) if message else (None, None)
    return str(text).format(**_fields(match)) if text else message


def written_by_shipsync(message: str | None) -> bool:
    """Whether ShipSync wrote this message (the page then does not call it the store's answer)."""
    return bool(message) and _match(message)[0] is not None
