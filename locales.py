"""The page's languages: which one a request gets, and how the browser names it.

Catalogs live in translations/<code>/ (babel.cfg has the commands). Platforms send language
tags in every spelling: Shopify ``es-ES``, Tiendanube/Nuvemshop ``pt-BR`` or ``pt_BR``, browsers
``pt-BR,pt;q=0.9``. A request names one with ``?locale=`` (remembered in the session), else the
browser's Accept-Language decides, else English.
"""
from __future__ import annotations

# Catalog code by language: Portuguese means Brazil's (Nuvemshop's merchants), whatever region is sent.
SUPPORTED = {"en": "en", "es": "es", "pt": "pt_BR"}
DEFAULT = "en"


def catalog_for(tag: str | None) -> str | None:
    """The catalog code for a language tag in any spelling (``pt``, ``pt-BR``, ``pt_br``), or None."""
    language = (tag or "").strip().replace("_", "-").split("-")[0].lower()
    return SUPPORTED.get(language)


def select_locale() -> str:
    """flask-babel's locale selector."""
    from flask import request, session

    requested = catalog_for(request.args.get("locale", "")[:16])
    if requested:
        session["locale"] = requested
        return requested
    remembered = catalog_for(session.get("locale"))
    if remembered:
        return remembered
    return catalog_for(request.accept_languages.best_match([*SUPPORTED, "pt-BR", "es-ES"])) or DEFAULT


def language_tag() -> str:
    """The current locale as a BCP 47 tag (``pt-BR``) for ``<html lang>`` and the browser's Intl,
    which refuses babel's ``pt_BR``."""
    from flask_babel import get_locale

    locale = get_locale()
    return "-".join(part for part in (locale.language, locale.territory) if part) if locale else DEFAULT
