"""Amazon orders in Shopify (Admin GraphQL): orderCreate with inventoryBehaviour DECREMENT_OBEYING_POLICY (the
default, BYPASS, would leave stock untouched), the Amazon order ID as source identifier and in a tag, which is what
finding an order we may have created searches for."""
from __future__ import annotations

from typing import Any

from ...carts.errors import CartRejected
from ...carts.shopify import ShopifyClient
from ..amazon_orders import AmazonItem, AmazonOrder
from ..models import ImportedOrder
from . import CartOrder, UnknownSkus
from .payload import Address, amount, marketplace_label

ORDER_GID = "gid://shopify/Order/"
LINE_FIELDS = "id name lineItems(first: 100) { nodes { id sku quantity } }"

VARIANTS = """query variants($query: String!) {
  productVariants(first: 100, query: $query) { nodes { id sku } }
}"""
FIND = """query amazonOrder($query: String!) {
  orders(first: 5, query: $query) { nodes { sourceIdentifier %s } }
}""" % LINE_FIELDS
CREATE = """mutation importAmazonOrder($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) { order { %s } userErrors { field message code } }
}""" % LINE_FIELDS
CANCEL = """mutation cancelAmazonOrder($orderId: ID!, $staffNote: String) {
  orderCancel(orderId: $orderId, reason: OTHER, refund: false, restock: true, notifyCustomer: false,
              staffNote: $staffNote) { job { id } orderCancelUserErrors { field message code } }
}"""
TAG = """mutation tagAmazonOrder($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } }
}"""


def order_tag(amazon_order_id: str) -> str:
    return f"amazon-{amazon_order_id}"


class ShopifyOrders:
    name = "Shopify"
    can_look_up = True

    def __init__(self, client: ShopifyClient) -> None:
        self.client = client
        self._variants: dict[str, str] = {}  # SKU -> variant GID, for the orders of one job run

    def find(self, order: ImportedOrder) -> CartOrder | None:
        found = self.client.graphql(FIND, {"query": f"tag:'{order_tag(order.amazon_order_id)}'"})
        for node in found["orders"]["nodes"]:
            if node.get("sourceIdentifier") == order.amazon_order_id:
                return _cart_order(node, AmazonOrder.from_json(order.snapshot))
        return None

    def create(self, order: ImportedOrder, custom_lines: bool) -> CartOrder:
        amazon = AmazonOrder.from_json(order.snapshot)
        variants = self._variants_for([item.sku for item in amazon.items if item.sku])
        unknown = [item.sku or item.title for item in amazon.items if (item.sku or "") not in variants]
        if unknown and not custom_lines:
            raise UnknownSkus(unknown)
        options = {"inventoryBehaviour": "DECREMENT_OBEYING_POLICY", "sendReceipt": False,
                   "sendFulfillmentReceipt": False}
        answer = self.client.graphql(CREATE, {"order": _order_input(amazon, variants), "options": options})
        _refuse_on_user_errors(answer["orderCreate"]["userErrors"])
        return _cart_order(answer["orderCreate"]["order"], amazon)

    def cancel(self, order: ImportedOrder) -> None:
        answer = self.client.graphql(CANCEL, {"orderId": ORDER_GID + str(order.cart_order_id),
                                              "staffNote": f"Amazon cancelled order {order.amazon_order_id}."})
        _refuse_on_user_errors(answer["orderCancel"]["orderCancelUserErrors"])

    def mark_shipped(self, order: ImportedOrder) -> None:
        answer = self.client.graphql(TAG, {"id": ORDER_GID + str(order.cart_order_id),
                                           "tags": ["amazon-shipped-outside-cart"]})
        _refuse_on_user_errors(answer["tagsAdd"]["userErrors"])

    def _variants_for(self, skus: list[str]) -> dict[str, str]:
        missing = sorted({sku for sku in skus if sku not in self._variants})
        if missing:
            query = " OR ".join("sku:'{}'".format(sku.replace("'", "\\'")) for sku in missing)
            for node in self.client.graphql(VARIANTS, {"query": query})["productVariants"]["nodes"]:
                if node.get("sku") in missing:
                    self._variants.setdefault(node["sku"], node["id"])
        return {sku: self._variants[sku] for sku in skus if sku in self._variants}


def _refuse_on_user_errors(errors: list[dict]) -> None:
    if errors:
        raise CartRejected("; ".join(str(error.get("message")) for error in errors),
                           code=",".join(str(error.get("code") or "") for error in errors).strip(",") or None)


def _money(value: Any, currency: str | None) -> dict:
    return {"shopMoney": {"amount": amount(value), "currencyCode": currency or "USD"}}


def _line(item: AmazonItem, variants: dict[str, str], currency: str | None) -> dict:
    line = {"quantity": item.quantity, "priceSet": _money(item.unit_price or 0, currency), "sku": item.sku}
    if (item.sku or "") in variants:
        line["variantId"] = variants[item.sku]
    else:
        line.update(title=item.title, requiresShipping=True)
    return line


def _address(amazon: AmazonOrder) -> dict:
    address = Address.of(amazon)
    return {"firstName": address.first_name, "lastName": address.last_name, "company": address.company or None,
            "address1": address.line1, "address2": address.line2 or None, "city": address.city,
            "provinceCode": address.region or None, "zip": address.postal_code,
            "countryCode": address.country or None, "phone": address.phone or None}


def _order_input(amazon: AmazonOrder, variants: dict[str, str]) -> dict:
    return {
        "currency": amazon.currency, "email": amazon.buyer_email, "financialStatus": "PAID",
        "lineItems": [_line(item, variants, amazon.currency) for item in amazon.items],
        "shippingAddress": _address(amazon), "billingAddress": _address(amazon),
        "shippingLines": [{"title": f"{marketplace_label(amazon.marketplace_id)} shipping",
                           "priceSet": _money(amazon.shipping_price, amazon.currency)}],
        "sourceIdentifier": amazon.order_id, "tags": ["amazon", order_tag(amazon.order_id)],
        "note": f"Amazon order {amazon.order_id} ({marketplace_label(amazon.marketplace_id)})",
        "customAttributes": [{"key": "amazon_order_id", "value": amazon.order_id},
                             {"key": "amazon_marketplace", "value": amazon.marketplace_id}],
    }


def _cart_order(node: dict, amazon: AmazonOrder) -> CartOrder:
    """Shopify's line items carry the SKUs we sent; webhooks name orders and lines by their numeric IDs."""
    unmatched = list(amazon.items)
    lines = {}
    for line in (node.get("lineItems") or {}).get("nodes") or []:
        match = next((item for item in unmatched if item.sku == line.get("sku")), None)
        if match is not None:
            unmatched.remove(match)
            lines[line["id"].rsplit("/", 1)[-1]] = match.order_item_id
    return CartOrder(node["id"].rsplit("/", 1)[-1], node.get("name"), lines)
