"""Abuse suite: gunicorn's access log, as the Procfile runs it, redacts secrets (issue 8, low)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_access_log_of_the_procfile_web_process_redacts_tokens_and_codes(settings, tmp_path):
    command = next(line.split(":", 1)[1].strip() for line in (ROOT / "Procfile").read_text().splitlines()
                   if line.startswith("web:"))
    port = _free_port()
    env = {**os.environ, "APP_PORT": str(port), "WEB_CONCURRENCY": "1", "APP_ENV": "test",
           "DATABASE_URL": settings.database_url, "QUEUE_URL": settings.queue_url,
           "SECRET_KEY": settings.secret_key, "TOKEN_ENCRYPTION_KEY": settings.token_encryption_key,
           "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    log = tmp_path / "web.log"
    with log.open("wb") as out:
        web = subprocess.Popen(command, shell=True, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"http://127.0.0.1:{port}/?shop=acme.myshopify.com&id_token=eyJSECRETTOKEN"
                             f"&code=OAUTHCODE123", timeout=20)
                break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        time.sleep(0.5)
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=15)
    text = log.read_text()
    assert "id_token=" in text  # the request was logged …
    assert "eyJSECRETTOKEN" not in text and "OAUTHCODE123" not in text  # … without its secrets
