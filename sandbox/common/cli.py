"""``python -m sandbox.<platform>``: what a sandbox run on its own does once it is serving."""
from __future__ import annotations

import signal
import threading


def serve_until_stopped(sandbox) -> None:
    """Block until Ctrl-C or SIGTERM (honcho, `make run`), then stop the sandbox's server and deliveries."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
