"""The processes a benchmark runs, as production runs them: gunicorn with the Procfile's
settings, `flask worker` processes, on PostgreSQL + Redis or on the embedded SQLite defaults.

BENCH_DATABASE_URL / BENCH_QUEUE_URL choose the PostgreSQL database and Redis db the bench
may wipe (defaults: database ``shipsync_bench``, Redis db 14 — never the test ones).
"""
from __future__ import annotations

import contextlib
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

import db
from config import Settings

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def procfile_gunicorn_args(procfile: Path = ROOT / "Procfile", env=os.environ) -> list[str]:
    """The Procfile's web process's gunicorn options (one source of truth), ``${VAR:-default}``
    expanded from ``env`` as a shell would; its bind and app are the bench's own, and its
    access log is written nowhere (still through the redacting logger class)."""
    line = next(line for line in procfile.read_text().splitlines() if line.startswith("web:"))
    words = shlex.split(_expand(line.removeprefix("web:"), env))
    args, words = [], words[1:-1]  # drop "gunicorn" and the app spec
    while words:
        option = words.pop(0)
        value = None if "=" in option or not words or words[0].startswith("--") else words.pop(0)
        if option.split("=")[0] in ("--bind", "-b"):
            continue
        if option.split("=")[0] == "--access-logfile":
            value, option = os.devnull, "--access-logfile"
        args += [option] + ([value] if value is not None else [])
    return args


def _expand(text: str, env) -> str:
    def value(match: re.Match) -> str:
        name, default = match.group(1), match.group(2)
        return env.get(name) or (_expand(default, env) if default is not None else "")
    return re.sub(r"\$\{(\w+)(?::-((?:[^{}]|\{[^{}]*\})*))?\}", value, text)


GUNICORN_ARGS = procfile_gunicorn_args()
POSTGRES_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/shipsync_bench")
REDIS_URL = os.environ.get("BENCH_QUEUE_URL", "redis://127.0.0.1:6379/14")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_available() -> str | None:
    """None when PostgreSQL and Redis answer, else why not."""
    try:
        _ensure_database(POSTGRES_URL)
        import redis

        redis.Redis.from_url(REDIS_URL).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means: skip this backend, say why
        return f"{type(exc).__name__}: {exc}"
    return None


def _ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


class Stack:
    """One backend's database and queue, wiped; processes started against them are stopped on exit."""

    def __init__(self, backend: str, **settings):
        self.backend = backend
        self._tmp = tempfile.TemporaryDirectory()
        tmp = Path(self._tmp.name)
        if backend == "postgres":
            database_url, queue_url = POSTGRES_URL, REDIS_URL
            engine = create_engine(database_url)
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            engine.dispose()
            import redis

            redis.Redis.from_url(queue_url).flushdb()
        else:
            database_url, queue_url = f"sqlite:///{tmp / 'shipsync.db'}", f"sqlite:///{tmp / 'queue.db'}"
        db.migrate(database_url)
        self.web_port = free_port()  # known before install: the store's webhooks are sent there
        self.settings = Settings(app_env="test", secret_key="bench", token_encryption_key=Fernet.generate_key().decode(),
                                 database_url=database_url, queue_url=queue_url,
                                 app_url=f"http://127.0.0.1:{self.web_port}",
                                 sandbox=True, allow_http_stores=True, **settings)
        self.processes: list[subprocess.Popen] = []

    def env(self) -> dict:
        s = self.settings
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "PYTEST", "BENCH_"))}
        env.update(APP_ENV="test", DATABASE_URL=s.database_url, QUEUE_URL=s.queue_url, SECRET_KEY=s.secret_key,
                   TOKEN_ENCRYPTION_KEY=s.token_encryption_key, SHOPIFY_ADMIN_ORIGIN=s.shopify_admin_origin,
                   APP_URL=s.app_url, STORE_TIMEOUT_SECONDS=str(s.store_timeout_seconds), SANDBOX="1",
                   ALLOW_HTTP_STORES="1", PYTHONPATH=str(ROOT))
        return env

    def app(self):
        from app import create_app

        return create_app(self.settings)

    def start_web(self, app_spec: str = "app:create_app()", port: int | None = None) -> str:
        """gunicorn as the Procfile runs it (ShipSync on APP_URL's port); its base URL once it answers."""
        port = port or (self.web_port if app_spec == "app:create_app()" else free_port())
        process = subprocess.Popen([str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", *GUNICORN_ARGS, app_spec],
                                   cwd=ROOT, env=self.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.processes.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException):
                requests.get(base + "/__ready__", timeout=1)
                return base
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn {app_spec} did not start")

    def start_workers(self, count: int, threads: int = 4) -> list[subprocess.Popen]:
        started = [subprocess.Popen([str(BIN / "flask"), "--app", "app", "worker", "--workers", str(threads)],
                                    cwd=ROOT, env=self.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                   for _ in range(count)]
        self.processes.extend(started)
        return started

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for process in self.processes:
            self.stop(process)
        self._tmp.cleanup()


def process_tree(pid: int) -> list[int]:
    """A process and its children (gunicorn's master forks its workers)."""
    return [pid, *_children(pid)]


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children."""
    total = 0
    for candidate in process_tree(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{candidate}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return round(total / 1024, 1)


def _children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []
