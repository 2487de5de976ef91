"""The sandbox's state and its control API (Python; the same over HTTP under /_sandbox/).

One ``ShopifyStore`` plays many shops. Everything sits in memory behind one lock; every
control method takes and returns plain JSON-able values so that ``RemoteStore`` (HTTP)
and this object answer alike. Shops are named by their domain, e.g. ``acme.myshopify.com``.
"""
from __future__ import annotations

import itertools
import random
import threading
import time
from collections import deque
from datetime import datetime, timedelta, timezone

from config import SANDBOX_SHOPIFY_API_KEY, SANDBOX_SHOPIFY_API_SECRET

from . import webhooks
from .control_orders import OrderControls
from .model import PLANS, STANDARD_RESTORE_RATE, Bucket, Ids, Location, Order, Shop, gid
from .schema import SCHEMA_VERSION
from .tokens import TokenBook, make_session_token

FAULT_KINDS = ("500", "502", "503", "504", "402", "403", "404", "423", "429", "401",
               "throttled", "timeout", "lost_response", "applied_error", "html", "pass")

LOG_LIMIT = 20_000  # requests and deliveries kept (a demo may run for days)

# Methods callable over HTTP as POST /_sandbox/<name> with JSON keyword arguments.
CONTROL_METHODS = (
    "reset", "create_shop", "configure_shop", "shop_info", "add_location", "install", "uninstall",
    "create_order", "create_orders", "order", "fulfillments", "hold", "release", "set_fulfillment_order_status",
    "assign_to_fulfillment_service", "route", "close_order", "cancel_order",
    "add_fault", "set_chaos", "faults", "clear_faults", "expire_access_token", "revoke_refresh_token",
    "refresh_count",
    "session_token", "webhook_subscriptions", "deliver", "deliveries", "order_payload", "requests",
    "clear_requests",
)


class ShopifyStore(OrderControls):
    def __init__(self, api_key: str = SANDBOX_SHOPIFY_API_KEY, api_secret: str = SANDBOX_SHOPIFY_API_SECRET,
                 api_version: str = SCHEMA_VERSION):
        self.api_key, self.api_secret, self.api_version = api_key, api_secret, api_version
        self.lock = threading.RLock()
        self._wake = threading.Event()
        self.reset()

    # -- lifecycle -----------------------------------------------------------------------
    def reset(self) -> dict:
        """Forget every shop, token, fault and logged request; wake sleeping faults."""
        with self.lock:
            self._wake.set()
            self._wake = threading.Event()
            self.shops: dict[str, Shop] = {}
            self.ids = Ids()
            self.tokens = TokenBook()
            self.codes: dict[str, dict] = {}
            self._log: deque = deque(maxlen=LOG_LIMIT)
            self._deliveries: deque = deque(maxlen=LOG_LIMIT)
            self._seq = itertools.count(1)
        return {"ok": True}

    def sleep(self, seconds: float) -> None:
        """Sleep for a fault; a reset (or server stop) cuts it short."""
        self._wake.wait(seconds)

    # -- shops ---------------------------------------------------------------------------
    def shop(self, domain: str) -> Shop:
        shop = self.shops.get(domain)
        if shop is None:
            raise KeyError(f"unknown shop {domain!r}")
        return shop

    def create_shop(self, shop: str, *, plan: str = "Shopify", restore_rate: float | None = None,
                    name: str | None = None, locations: list[str] | None = None, auto_webhooks: bool = True) -> dict:
        """Create (or return) a shop. ``restore_rate`` (points/s) sizes its bucket at 20×;
        ``auto_webhooks`` delivers orders/* (and routing, uninstall) webhooks on changes."""
        with self.lock:
            if shop not in self.shops:
                rate = float(restore_rate or PLANS.get(plan, STANDARD_RESTORE_RATE))
                self.shops[shop] = Shop(
                    domain=shop, id=self.ids.next("Shop"), name=name or shop.split(".")[0].replace("-", " ").title(),
                    plan=plan, bucket=Bucket(rate, 20 * rate, time.monotonic()),
                    locations=[Location(self.ids.next("Location"), n) for n in (locations or ["Shop location"])],
                    auto_webhooks=auto_webhooks)
            return self.shop_info(shop)

    def configure_shop(self, shop: str, *, restore_rate: float | None = None, available: float | None = None,
                       latency_seconds: float | None = None, retain_previous_refresh_token: bool | None = None,
                       auto_webhooks: bool | None = None) -> dict:
        """Change a shop's rate limit (bucket refilled to full unless ``available``), latency, token policy."""
        with self.lock:
            s = self.shop(shop)
            if restore_rate is not None:
                s.bucket = Bucket(float(restore_rate), 20 * float(restore_rate), time.monotonic())
            if available is not None:
                s.bucket.refill(time.monotonic())
                s.bucket.available = float(available)
            for field, value in (("latency_seconds", latency_seconds), ("auto_webhooks", auto_webhooks),
                                 ("retain_previous_refresh_token", retain_previous_refresh_token)):
                if value is not None:
                    setattr(s, field, value)
            return self.shop_info(shop)

    def shop_info(self, shop: str) -> dict:
        with self.lock:
            s = self.shop(shop)
            s.bucket.refill(time.monotonic())
            return {"shop": s.domain, "id": s.id, "gid": gid("Shop", s.id), "name": s.name, "plan": s.plan,
                    "installed": s.installed, "scope": s.scope, "throttle_status": s.bucket.status(),
                    "latency_seconds": s.latency_seconds, "refresh_count": s.refresh_count,
                    "retain_previous_refresh_token": s.retain_previous_refresh_token,
                    "auto_webhooks": s.auto_webhooks, "orders": len(s.orders),
                    "locations": [{"id": str(l.id), "gid": gid("Location", l.id), "name": l.name,
                                   "fulfillment_service": l.fulfillment_service} for l in s.locations]}

    def add_location(self, shop: str, name: str, *, fulfillment_service: str | None = None) -> dict:
        """Another location; ``fulfillment_service`` (a handle) makes it a service's location."""
        with self.lock:
            location = Location(self.ids.next("Location"), name, fulfillment_service)
            self.shop(shop).locations.append(location)
            return {"id": str(location.id), "gid": gid("Location", location.id), "name": name}

    def install(self, shop: str, *, scope: str | None = None, expiring: bool = True) -> dict:
        """Install without the OAuth dance: a token answer plus ``expires_at`` (naive UTC ISO)."""
        with self.lock:
            if shop not in self.shops:
                self.create_shop(shop)
            s = self.shop(shop)
            s.installed, s.scope = True, scope or s.scope or "read_orders,write_orders"
            answer = self.tokens.issue(shop, s.scope, expiring)
        if expiring:
            at = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
            answer["expires_at"] = (at + timedelta(seconds=answer["expires_in"])).isoformat()
        return answer

    def uninstall(self, shop: str) -> dict:
        """App uninstalled: tokens revoked, subscriptions deleted, app/uninstalled delivered first."""
        with self.lock:
            s = self.shop(shop)
            targets = [w.uri for w in s.webhooks if w.topic == "APP_UNINSTALLED"]
            payload = webhooks.shop_payload(s)
        outcomes = [self._post(u, "app/uninstalled", shop, payload) for u in targets]
        with self.lock:
            s.installed = False
            s.webhooks.clear()
            self.tokens.revoke_all(shop)
        return {"deliveries": outcomes}

    # -- faults and tokens -----------------------------------------------------------------
    def add_fault(self, shop: str, kind: str, *, count: int = 1, seconds: float | None = None,
                  retry_after: float | None = None, body: str | None = None, only: str | None = None,
                  match: str | None = None) -> list[dict]:
        """Script the next GraphQL answers (FIFO). ``only``: "mutation"/"query"; ``match``: an
        operation or root-field name, or a list of them (any one matches). ``seconds``: sleep of timeout/lost_response (a throttled
        answer reports an empty bucket: wait requested cost / restore rate). ``body``:
        "html"/"json" for 5xx answers. ``pass`` answers normally (to aim a later fault at
        the n-th matching call)."""
        kind = str(kind)
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {', '.join(FAULT_KINDS)}")
        with self.lock:
            faults = self.shop(shop).faults
            for _ in range(count):
                faults.append({"kind": kind, "seconds": seconds, "retry_after": retry_after, "body": body,
                               "only": only, "match": match})
            return list(faults)

    def set_chaos(self, shop: str, rates: dict | None = None, *, seed: int = 0, seconds: float | None = None,
                  retry_after: float | None = None) -> dict:
        """Fail calls at random: ``rates`` maps a fault kind to its probability per call
        (e.g. {"503": 0.2, "429": 0.1, "timeout": 0.05, "applied_error": 0.05}); None stops.
        ``applied_error`` hits mutations only: the write is made, the answer is a 503."""
        for kind in rates or {}:
            if kind not in FAULT_KINDS:
                raise ValueError(f"unknown fault {kind!r}; one of {', '.join(FAULT_KINDS)}")
        with self.lock:
            s = self.shop(shop)
            s.chaos = {"rates": dict(rates or {}), "seconds": seconds, "retry_after": retry_after}
            s.chaos_random = random.Random(seed)
            return {"chaos": s.chaos["rates"]}

    def chaos_fault(self, shop: str, operation_type: str | None) -> dict | None:
        """A random fault for this call, or None (see ``set_chaos``)."""
        with self.lock:
            s = self.shops.get(shop)
            if s is None or not s.chaos or not s.chaos["rates"]:
                return None
            draw, edge = s.chaos_random.random(), 0.0
            for kind, rate in s.chaos["rates"].items():
                if kind == "applied_error" and operation_type != "mutation":
                    continue
                edge += rate
                if draw < edge:
                    return {"kind": kind, "seconds": s.chaos["seconds"], "retry_after": s.chaos["retry_after"],
                            "body": None, "only": None, "match": None}
            return None

    def faults(self, shop: str) -> list[dict]:
        with self.lock:
            return list(self.shop(shop).faults)

    def clear_faults(self, shop: str) -> dict:
        with self.lock:
            self.shop(shop).faults.clear()
        return {"ok": True}

    def take_fault(self, shop: str, operation_type: str | None, names: set[str]) -> dict | None:
        """The first scripted fault that applies to this call, removed from the queue."""
        with self.lock:
            faults: deque = self.shop(shop).faults
            for fault in faults:
                if fault["only"] and fault["only"] != operation_type:
                    continue
                if fault["match"] and not names & _names(fault["match"]):
                    continue
                faults.remove(fault)
                return fault
        return None

    def expire_access_token(self, shop: str) -> int:
        with self.lock:
            return self.tokens.expire_access(shop)

    def revoke_refresh_token(self, shop: str) -> int:
        with self.lock:
            return self.tokens.revoke_refresh(shop)

    def refresh_count(self, shop: str) -> int:
        with self.lock:
            return self.shop(shop).refresh_count

    def session_token(self, shop: str, **claims) -> str:
        """A valid App Bridge session token (id_token) for this shop, signed with the app secret."""
        return make_session_token(shop, self.api_key, self.api_secret, **claims)

    # -- webhooks --------------------------------------------------------------------------
    def webhook_subscriptions(self, shop: str) -> list[dict]:
        with self.lock:
            return [{"id": str(w.id), "gid": gid("WebhookSubscription", w.id), "topic": w.topic, "uri": w.uri,
                     "format": w.format} for w in self.shop(shop).webhooks]

    def order_payload(self, shop: str, order_id) -> dict:
        with self.lock:
            return webhooks.order_payload(self._order(shop, order_id))

    def deliver(self, shop: str, topic: str, payload: dict | None = None, *, order_id=None,
                event_id: str | None = None, webhook_id: str | None = None, signature: str | None = None) -> list[dict]:
        """POST ``payload`` (or the order's current payload) to every subscription of ``topic``
        (e.g. "orders/create"), signed like Shopify. ``signature`` overrides the HMAC (to test
        rejection); the same ``event_id`` twice plays a duplicate delivery."""
        with self.lock:
            if payload is None:
                payload = webhooks.order_payload(self._order(shop, order_id)) if order_id is not None else {}
            targets = [w.uri for w in self.shop(shop).webhooks if w.topic == webhooks.topic_enum(topic)]
        return [self._post(uri, topic, shop, payload, event_id=event_id, webhook_id=webhook_id, signature=signature)
                for uri in targets]

    def deliveries(self, shop: str | None = None) -> list[dict]:
        with self.lock:
            return [d for d in self._deliveries if shop is None or d["shop"] == shop]

    def _post(self, uri, topic, shop, payload, **kwargs) -> dict:
        outcome = webhooks.post(uri, topic, shop, payload, secret=self.api_secret,
                                api_version=self.api_version, **kwargs)
        with self.lock:
            self._deliveries.append(outcome)
        return outcome

    def order_changed(self, shop: Shop, order: Order, topic: str) -> None:
        """Called by mutations (under the lock): auto-deliver when the shop asks for it."""
        self._emit(shop.domain, topic, order)

    def _emit(self, shop: str, topic: str, order: Order | None = None, payload: dict | None = None) -> None:
        with self.lock:
            s = self.shops.get(shop)
            if not (s and s.auto_webhooks):
                return
            payload = payload if payload is not None else webhooks.order_payload(order)
        threading.Thread(target=self.deliver, args=(shop, topic, payload), daemon=True).start()

    # -- request log ---------------------------------------------------------------------
    def record(self, **entry) -> dict:
        """Start a log entry (the caller fills in ``status`` when it answers)."""
        entry.update(started=time.monotonic(), wall=time.time(), status=None)
        with self.lock:
            entry["seq"] = next(self._seq)
            self._log.append(entry)
        return entry

    def requests(self, shop: str | None = None, kind: str | None = None, operation: str | None = None) -> list[dict]:
        """Logged requests, oldest first. ``kind``: graphql, token, authorize. ``operation``:
        an operation name or root field. Times: ``started`` (monotonic), ``wall`` (epoch)."""
        with self.lock:
            return [dict(e) for e in self._log
                    if (shop is None or e.get("shop") == shop) and (kind is None or e.get("kind") == kind)
                    and (operation is None or operation in (e.get("operation_name"), e.get("root_field")))]

    def clear_requests(self) -> dict:
        with self.lock:
            self._log.clear()
        return {"ok": True}

    # -- helpers -------------------------------------------------------------------------



def _names(match) -> set[str]:
    return {match} if isinstance(match, str) else set(match)
