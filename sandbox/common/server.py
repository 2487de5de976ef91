"""A sandbox as a real HTTP server: werkzeug, a thread per request, served from a daemon thread.

A thread per request because a store that pings a webhook URL, posts keys to a callback or
plays a slow answer before it replies must not hold up the other requests meanwhile.
"""
from __future__ import annotations

import threading

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException
from werkzeug.serving import WSGIRequestHandler, make_server


class QuietHandler(WSGIRequestHandler):
    """No access log line per request: each store keeps its own request log; errors still log."""

    def log_request(self, *args, **kwargs):
        pass


class BackgroundServer:
    """``app`` serving on ``host:port`` (0: a free port, then read ``port``) until ``stop``."""

    def __init__(self, app, host: str, port: int, thread_name: str):
        self._server = make_server(host, port, app, threaded=True, request_handler=QuietHandler)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name=thread_name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class StoreSandbox:
    """Many stores of one platform behind one server, with a webhook ``deliverer``.

    A subclass names its Flask app (``app_name``), its ``blueprints``, the JSON of an HTTP
    error (``error_json``), and creates stores into ``stores`` (keyed as its URLs name them).
    Its views find the sandbox with ``sandbox.common.control.current_sandbox()``.
    """

    app_name = "sandbox"
    blueprints: tuple = ()

    def __init__(self, host: str, port: int, deliverer):
        self.host, self.port = host, port
        self.lock = threading.RLock()
        self.stores: dict = {}
        self.deliverer = deliverer
        self.app = self._build_app()
        self.url = ""
        self._server: BackgroundServer | None = None

    @staticmethod
    def error_json(error: HTTPException) -> dict:
        raise NotImplementedError

    def _build_app(self) -> Flask:
        app = Flask(self.app_name)
        app.config["SANDBOX"] = self
        for blueprint in self.blueprints:
            app.register_blueprint(blueprint)

        @app.errorhandler(HTTPException)
        def _errors(error: HTTPException):
            return jsonify(self.error_json(error)), error.code

        return app

    # --- lifecycle --------------------------------------------------------------------------

    def start(self):
        self._server = BackgroundServer(self.app, self.host, self.port, self.app_name.replace("_", "-"))
        self.port = self._server.port
        self.url = f"http://{self.host}:{self.port}"
        self.deliverer.start()
        return self

    def stop(self) -> None:
        self.deliverer.stop()
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- stores -----------------------------------------------------------------------------

    def remove_store(self, key) -> None:
        """Forget a store and the deliveries it still had to make."""
        with self.lock:
            store = self.stores.pop(key, None)
        if store is not None:
            self.deliverer.drop(store)

    def reset(self) -> None:
        for key in list(self.stores):
            self.remove_store(key)

    def wait_for_deliveries(self, timeout: float = 10.0) -> bool:
        return self.deliverer.wait_idle(timeout)
