"""Scripted failures, consumed first-in first-out by the REST requests they match.

Kinds (what real hosts in front of WooCommerce do; matching and queueing: ``sandbox.common.faults``):
- ``503``: a host error page (HTML), with ``Retry-After`` when ``retry_after`` is given;
- ``429``: rate limited by the host, ``Retry-After: <retry_after>`` (default 1);
- ``timeout``: the request is not processed; the answer comes after ``seconds`` (past the
  client's timeout);
- ``lost_response``: the request IS processed, then the answer comes after ``seconds``: the
  write happened but the client never learns it;
- ``html``: a 200 HTML page instead of JSON (a maintenance or "checking your browser" page);
- ``403``: a host firewall's HTML refusal;
- ``status``: any ``status`` with an optional JSON ``body`` (e.g. a WooCommerce error).
"""
from __future__ import annotations

import dataclasses
import json
from typing import ClassVar

from sandbox.common.faults import ScriptedFault


@dataclasses.dataclass
class Fault(ScriptedFault):
    KINDS: ClassVar[tuple[str, ...]] = ("503", "429", "timeout", "lost_response", "html", "403", "status")

    retry_after: float | None = None

    def response(self) -> tuple[int, bytes, dict]:
        """(status, body, headers) for a fault that answers instead of the store."""
        if self.kind == "503":
            headers = {"Content-Type": "text/html; charset=UTF-8"}
            if self.retry_after is not None:
                headers["Retry-After"] = _seconds(self.retry_after)
            return 503, _page("503 Service Unavailable", "The server is temporarily busy, try again later."), headers
        if self.kind == "429":
            return 429, _page("429 Too Many Requests", "You have sent too many requests."), {
                "Content-Type": "text/html; charset=UTF-8", "Retry-After": _seconds(self.retry_after or 1)}
        if self.kind == "html":
            return self.status or 200, _page("Just a moment...", "Checking your browser before accessing the site."), {
                "Content-Type": "text/html; charset=UTF-8"}
        if self.kind == "403":
            return 403, _page("403 Forbidden", "Access denied by the site's firewall (ModSecurity)."), {
                "Content-Type": "text/html; charset=UTF-8"}
        if self.kind == "timeout":
            return 504, _page("504 Gateway Timeout", "The upstream server did not answer in time."), {
                "Content-Type": "text/html; charset=UTF-8"}
        body = self.body if self.body is not None else {"code": "sandbox_fault", "message": "Injected fault.",
                                                        "data": {"status": self.status or 500}}
        return self.status or 500, json.dumps(body).encode(), {"Content-Type": "application/json; charset=UTF-8"}


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _page(title: str, text: str) -> bytes:
    return (f"<!DOCTYPE html><html><head><title>{title}</title></head>"
            f"<body><h1>{title}</h1><p>{text}</p></body></html>").encode()
