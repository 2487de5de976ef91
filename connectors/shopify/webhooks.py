"""Pure build/parse functions for webhook subscriptions."""
from __future__ import annotations

# The topics ShipSync handles (DESIGN §4); the GDPR topics are configured in the app's
# Partner settings, not subscribed through the API.
TOPICS = ("orders/create", "orders/updated", "orders/cancelled",
          "fulfillment_orders/order_routing_complete", "app/uninstalled")


def topic_enum(topic: str) -> str:
    """"orders/create" → "ORDERS_CREATE" (WebhookSubscriptionTopic)."""
    return topic.replace("/", "_").upper()


def parse_subscriptions(data: dict) -> tuple[list[dict], str | None]:
    """([{id, topic, uri}], cursor of the next page or None)."""
    connection = data.get("webhookSubscriptions") or {}
    page = connection.get("pageInfo") or {}
    return list(connection.get("nodes") or []), page.get("endCursor") if page.get("hasNextPage") else None


def plan_subscriptions(existing: list[dict], callback_url: str, topics=TOPICS) -> tuple[list[str], list[str]]:
    """(topics to create, subscription ids to delete).

    Idempotent: a topic already subscribed at ``callback_url`` is left alone. A subscription
    of one of our topics at another address is stale (APP_URL changed) and is deleted, so
    deliveries do not go twice.
    """
    wanted = {topic_enum(t) for t in topics}
    present = {s["topic"] for s in existing if s.get("uri") == callback_url}
    create = [topic_enum(t) for t in topics if topic_enum(t) not in present]
    delete = [s["id"] for s in existing if s.get("topic") in wanted and s.get("uri") != callback_url]
    return create, delete


def build_subscription_variables(topic: str, callback_url: str) -> dict:
    return {"topic": topic, "subscription": {"uri": callback_url, "format": "JSON"}}


def already_taken(user_errors: list[dict]) -> bool:
    """Shopify's answer to a duplicate subscription (a concurrent register): harmless."""
    return bool(user_errors) and all("already been taken" in (e.get("message") or "") for e in user_errors)
