"""The failure texts every platform writes alike (sync/messages.py's shared table), as the page
shows them in English, Spanish and Brazilian Portuguese: each message is the one a connector's
error table really writes, and each expected text is the one the page showed before the
platforms shared one table (the 429 of Shopify aside: it used to stay in English)."""
from __future__ import annotations

import pytest
import requests

from connectors.shopify import errors as shopify_errors
from connectors.tiendanube import errors as tiendanube_errors


def answer(status: int) -> requests.Response:
    response = requests.Response()
    response.status_code, response._content = status, b'{"errors": "Service Unavailable"}'
    response.headers["Content-Type"] = "application/json"
    return response


SHOPIFY = {
    "timeout": shopify_errors.from_exception(requests.ReadTimeout(), 10),
    "connection": shopify_errors.from_exception(requests.ConnectionError(), 10),
    "server": shopify_errors.from_http(answer(503)),
    "rate": shopify_errors.from_http(answer(429)),
}
TIENDANUBE = {
    "timeout": tiendanube_errors.from_exception(requests.ReadTimeout(), 10),
    "connection": tiendanube_errors.from_exception(requests.ConnectionError(), 10),
    "server": tiendanube_errors.from_response(answer(503), "read the order"),
    "rate": tiendanube_errors.from_response(answer(429), "read the order"),
}


def shown(app, message: str, language: str) -> str:
    from sync.messages import translate, written_by_shipsync

    with app.test_request_context(headers={"Accept-Language": language}):
        assert written_by_shipsync(message), message
        return translate(message)


@pytest.mark.parametrize("errors, failure, language, text", [
    (SHOPIFY, "timeout", "en", "Shopify did not answer within 10 s."),
    (SHOPIFY, "timeout", "es", "Shopify no respondió en 10 s."),
    (SHOPIFY, "timeout", "pt-BR", "A Shopify não respondeu em 10 s."),
    (TIENDANUBE, "timeout", "en", "Tiendanube did not answer within 10 s."),
    (TIENDANUBE, "timeout", "es", "Tiendanube no respondió en 10 s."),
    (TIENDANUBE, "timeout", "pt-BR", "A Nuvemshop não respondeu em 10 s."),
    (SHOPIFY, "connection", "es", "No se pudo contactar con Shopify (falló la conexión)."),
    (SHOPIFY, "connection", "pt-BR", "Não foi possível acessar a Shopify (a conexão falhou)."),
    (TIENDANUBE, "connection", "es", "No se pudo contactar con Tiendanube (falló la conexión)."),
    (TIENDANUBE, "connection", "pt-BR", "Não foi possível acessar a Nuvemshop (a conexão falhou)."),
    (SHOPIFY, "server", "es", "Shopify tuvo un error de servidor (503)."),
    (SHOPIFY, "server", "pt-BR", "A Shopify teve um erro de servidor (503)."),
    (TIENDANUBE, "server", "en", "Tiendanube had a server error (503)."),
    (TIENDANUBE, "server", "pt-BR", "A Nuvemshop teve um erro de servidor (503)."),
    (TIENDANUBE, "rate", "es", "Tiendanube pidió a ShipSync que vaya más despacio (demasiadas solicitudes); ShipSync "
                               "continúa por sí solo."),
    (TIENDANUBE, "rate", "pt-BR", "A Nuvemshop pediu ao ShipSync que diminua o ritmo (requisições demais); o ShipSync "
                                  "continua sozinho."),
    (SHOPIFY, "rate", "en", "Shopify asked ShipSync to slow down (too many requests); ShipSync continues by itself."),
    (SHOPIFY, "rate", "es", "Shopify pidió a ShipSync que vaya más despacio (demasiadas solicitudes); ShipSync "
                            "continúa por sí solo."),
    (SHOPIFY, "rate", "pt-BR", "A Shopify pediu ao ShipSync que diminua o ritmo (requisições demais); o ShipSync "
                               "continua sozinho."),
])
def test_a_shared_failure_in_the_pages_language(app, errors, failure, language, text):
    assert shown(app, errors[failure].message, language) == text


def test_only_a_registered_platforms_name_makes_a_shared_text(app):
    """Another name in the same words is the store's own text (or another ShipSync's): left as it is."""
    from sync.messages import written_by_shipsync

    with app.test_request_context(headers={"Accept-Language": "es"}):
        assert not written_by_shipsync("Magento did not answer within 10 s")
