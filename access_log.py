"""gunicorn's logger, with its access log going through the app log's redaction.

An access log line carries the full query string: the embedded app home's ``id_token=…``,
the OAuth callback's ``code=…``. ``Procfile``: ``gunicorn --logger-class access_log.RedactingLogger``.
Only gunicorn imports this module.
"""
from __future__ import annotations

from gunicorn.glogging import Logger

from logs import RedactSecrets


class RedactingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, RedactSecrets) for f in log.filters):
                log.addFilter(RedactSecrets())
