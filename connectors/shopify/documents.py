"""Every GraphQL document ShipSync sends to Shopify.

Rule: each public UPPER_CASE string constant here is a complete document; the tests
validate all of them against the pinned Admin schema (so a new one cannot escape) and
check their requested cost stays under Shopify's 1000-point single-query limit. Private
``_FRAGMENT`` strings are appended to the documents that use them.

Page sizes keep requested costs low (Shopify charges the *requested* cost up front).
"""

_ORDER_FIELDS = """
fragment ShipSyncOrderFields on Order {
  id
  name
  createdAt
  updatedAt
  cancelledAt
  closed
  displayFulfillmentStatus
  email
  customer { displayName }
}
"""

ORDER_QUERY = """
query ShipSyncOrder($id: ID!, $lineItemsAfter: String) {
  order(id: $id) {
    ...ShipSyncOrderFields
    lineItems(first: 100, after: $lineItemsAfter) {
      pageInfo { hasNextPage endCursor }
      nodes { id title quantity sku }
    }
  }
}
""" + _ORDER_FIELDS

# $first ≤ 50 keeps the requested cost under 1000; orders with more than 15 line items
# are read again with ORDER_QUERY.
OPEN_ORDERS_QUERY = """
query ShipSyncOpenOrders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      ...ShipSyncOrderFields
      lineItems(first: 15) {
        pageInfo { hasNextPage }
        nodes { id title quantity sku }
      }
    }
  }
}
""" + _ORDER_FIELDS

# The cheapest read before a write (actual cost 4 for an order at one location): enough to
# fulfill a whole fulfillment order when our copy of the order is current (same updatedAt)
# and the package ships all of it. first: 3 without pageInfo: one node back means one in all.
FULFILLMENT_TARGETS_QUERY = """
query ShipSyncFulfillmentTargets($id: ID!) {
  order(id: $id) {
    id
    updatedAt
    cancelledAt
    displayFulfillmentStatus
    fulfillmentOrders(first: 3) {
      nodes { id status }
    }
  }
}
"""

# Everything needed to place any package (paged): small pages, because Shopify charges
# the requested cost up front; the rare order with more is read page by page.
FULFILLMENT_ORDERS_QUERY = """
query ShipSyncFulfillmentOrders($id: ID!, $after: String) {
  order(id: $id) {
    id
    name
    cancelledAt
    closed
    displayFulfillmentStatus
    fulfillmentOrders(first: 3, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        status
        requestStatus
        supportedActions { action }
        assignedLocation { name location { id } }
        lineItems(first: 10) {
          pageInfo { hasNextPage endCursor }
          nodes { id remainingQuantity totalQuantity lineItem { id } }
        }
      }
    }
  }
}
"""

FULFILLMENT_ORDER_LINE_ITEMS_QUERY = """
query ShipSyncFulfillmentOrderLineItems($id: ID!, $after: String) {
  fulfillmentOrder(id: $id) {
    id
    lineItems(first: 50, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { id remainingQuantity totalQuantity lineItem { id } }
    }
  }
}
"""

# Which order a fulfillment order belongs to (order_routing_complete names only the latter).
FULFILLMENT_ORDER_ORDER_QUERY = """
query ShipSyncFulfillmentOrderOrder($id: ID!) {
  fulfillmentOrder(id: $id) {
    id
    order { id }
  }
}
"""

# Fulfillments with their tracking and items: what find_fulfillment matches on.
ORDER_FULFILLMENTS_QUERY = """
query ShipSyncOrderFulfillments($id: ID!) {
  order(id: $id) {
    id
    displayFulfillmentStatus
    fulfillments(first: 10) {
      id
      status
      createdAt
      trackingInfo(first: 3) { company number url }
      fulfillmentLineItems(first: 10) {
        pageInfo { hasNextPage }
        nodes { quantity lineItem { id } }
      }
    }
  }
}
"""

# Tracking numbers only, for the rare order with more than 10 fulfillments.
ORDER_FULFILLMENT_TRACKING_QUERY = """
query ShipSyncOrderFulfillmentTracking($id: ID!) {
  order(id: $id) {
    id
    displayFulfillmentStatus
    fulfillments(first: 240) {
      id
      status
      createdAt
      trackingInfo(first: 3) { number }
    }
  }
}
"""

FULFILLMENT_CREATE = """
mutation ShipSyncFulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment {
      id
      status
      trackingInfo(first: 3) { company number url }
      order { id displayFulfillmentStatus updatedAt }
    }
    userErrors { field message }
  }
}
"""

FULFILLMENT_TRACKING_UPDATE = """
mutation ShipSyncFulfillmentTrackingUpdate($id: ID!, $tracking: FulfillmentTrackingInput!, $notify: Boolean) {
  fulfillmentTrackingInfoUpdate(fulfillmentId: $id, trackingInfoInput: $tracking, notifyCustomer: $notify) {
    fulfillment { id status trackingInfo(first: 3) { company number url } }
    userErrors { field message }
  }
}
"""

FULFILLMENT_CANCEL = """
mutation ShipSyncFulfillmentCancel($id: ID!) {
  fulfillmentCancel(id: $id) {
    fulfillment { id status order { id displayFulfillmentStatus } }
    userErrors { field message }
  }
}
"""

WEBHOOK_SUBSCRIPTIONS_QUERY = """
query ShipSyncWebhookSubscriptions($after: String) {
  webhookSubscriptions(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id topic uri }
  }
}
"""

WEBHOOK_SUBSCRIPTION_CREATE = """
mutation ShipSyncWebhookSubscriptionCreate(
  $topic: WebhookSubscriptionTopic!
  $subscription: WebhookSubscriptionInput!
) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $subscription) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}
"""

WEBHOOK_SUBSCRIPTION_DELETE = """
mutation ShipSyncWebhookSubscriptionDelete($id: ID!) {
  webhookSubscriptionDelete(id: $id) {
    deletedWebhookSubscriptionId
    userErrors { field message }
  }
}
"""

SHOP_QUERY = """
query ShipSyncShop {
  shop {
    name
    email
    myshopifyDomain
    plan { publicDisplayName shopifyPlus }
  }
}
"""

OPEN_ORDERS_REQUESTED_COST = 952  # with $first = ORDERS_PAGE_SIZE (50); checked by the tests

# Requested cost of the documents a package sync or an order import may send (tests check
# them against the schema): the rate budget reserves what a call will request before it.
REQUESTED_COST = {
    "FULFILLMENT_TARGETS_QUERY": 6,
    "FULFILLMENT_ORDERS_QUERY": 81,
    "FULFILLMENT_CREATE": 10,
    "ORDER_FULFILLMENTS_QUERY": 261,
    "ORDER_QUERY": 104,  # an order's import
}
