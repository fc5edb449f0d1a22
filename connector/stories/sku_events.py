"""The sentences of a SKU's story: what a webhook said, what a submission carried, what Amazon answered, what the
mapping decided. Links go to the delivery, the feed or patch page and the run that did it."""
from __future__ import annotations

from decimal import Decimal

from flask import url_for
from flask_babel import gettext as _

from ..accounts.models import AmazonAccount
from ..amazon.marketplaces import BY_ID
from ..i18n.labels import status_word
from ..stock.models import ALL_MARKETPLACES, ItemStatus, SkuMapping, Submission, SubmissionItem
from ..webhooks.models import WebhookDelivery
from .models import SkuTouch, TouchKind
from .timeline import Event, delivery_link, run_link


def where(account: AmazonAccount, marketplace_id: str) -> str:
    marketplace = BY_ID.get(marketplace_id)
    return f"{account.alias} · {marketplace.country if marketplace else marketplace_id}"


def amount(price: Decimal) -> str:
    """Cart prices are stored with four decimals; show two unless the cart really used more."""
    return f"{price:.2f}" if price == price.quantize(Decimal("0.01")) else f"{price.normalize():f}"


def values(quantity: int | None, price: Decimal | None, currency: str | None) -> str:
    parts = []
    if quantity is not None:
        parts.append(_("quantity %(quantity)s", quantity=quantity))
    if price is not None:
        parts.append(_("price %(price)s %(currency)s", price=amount(price), currency=currency or "").strip())
    return ", ".join(parts) or _("no quantity or price")


def touch_event(touch: SkuTouch, delivery: WebhookDelivery) -> Event:
    topic = delivery.topic or _("no topic")
    if touch.kind == TouchKind.DELETION:
        detail = _("The cart deleted the product: Amazon gets quantity 0.")
    elif touch.kind == TouchKind.PARENT_STOCK:
        detail = _("Stock of the variable product %(product)s, which this variation shares: %(values)s.",
                   product=touch.product_id, values=values(touch.quantity, None, None))
    elif touch.kind == TouchKind.LEVEL:
        detail = _("Available at location %(location)s: %(quantity)s.", location=touch.location_id,
                   quantity=touch.quantity)
    else:
        said = values(touch.quantity, touch.price, touch.currency)
        if touch.quantity is None and touch.in_stock is not None:
            said += ", " + (_("in stock (not counted)") if touch.in_stock else _("out of stock"))
        if touch.sale_price is not None:
            said += ", " + _("sale price %(price)s", price=amount(touch.sale_price))
        detail = _("The cart said: %(values)s.", values=said)
    title = _("Webhook %(topic)s", topic=topic)
    if delivery.status != "processed":
        detail += " " + _("Delivery status: %(status)s.", status=status_word(delivery.status))
    return Event(at=delivery.received_at, source="webhook", title=title, detail=detail,
                 links=delivery_link(delivery.id), order=10)


def submission_label(submission: Submission) -> str:
    if submission.kind == "feed":
        return _("feed %(id)s", id=submission.feed_id) if submission.feed_id else _("feed #%(id)s", id=submission.id)
    return _("listings patch #%(id)s", id=submission.id)


def submission_link(submission: Submission) -> tuple[str, str]:
    return (submission_label(submission).capitalize(),
            url_for("stock.submission", account_id=submission.account_id, submission_id=submission.id))


def sent_event(item: SubmissionItem, submission: Submission, account: AmazonAccount) -> Event:
    detail = _("Sent to Amazon in %(submission)s (%(where)s): %(values)s.", submission=submission_label(submission),
               where=where(account, submission.marketplace_id), values=values(item.quantity, item.price, item.currency))
    if submission.problem and submission.status in ("failed", "FATAL", "CANCELLED", "abandoned"):
        detail += " " + _("The submission failed: %(problem)s", problem=submission.problem)
    references = [(_("Request ID"), submission.amazon_request_id)] if submission.amazon_request_id else []
    return Event(at=submission.submitted_at or submission.created_at, source="submission",
                 title=_("Desired state sent"), detail=detail, links=[submission_link(submission),
                                                                      *run_link(submission.run_id)],
                 references=references, account_id=account.id, order=20)


def answer_event(item: SubmissionItem, submission: Submission, account: AmazonAccount) -> Event | None:
    """Amazon's answer about this SKU, once there is one."""
    if item.status == ItemStatus.SENT:
        return None
    references = [(_("Code"), item.error_code)] if item.error_code else []
    if item.amazon_reference:
        references.append((_("Amazon submission"), item.amazon_reference))
    for issue in (item.issues or [])[1:]:
        references.append((issue.get("severity") or _("Issue"), f"{issue.get('code', '')} {issue.get('message', '')}"))
    if item.status == ItemStatus.ACCEPTED:
        title, level = _("Amazon accepted"), "info"
        detail = _("Amazon accepted %(values)s in %(where)s.", values=values(item.quantity, item.price, item.currency),
                   where=where(account, submission.marketplace_id))
    elif item.status == ItemStatus.REJECTED:
        title, level = _("Amazon rejected"), "error"
        detail = _("Amazon rejected it in %(where)s: %(message)s", where=where(account, submission.marketplace_id),
                   message=item.message or item.error_code or _("no message"))
    else:
        title, level = _("No answer"), "warning"
        detail = _("Amazon's answer is unknown (the submission is %(status)s); the SKU is sent again.",
                   status=status_word(submission.status))
    return Event(at=submission.checked_at or submission.processed_at or submission.submitted_at
                 or submission.created_at, source="answer", title=title, detail=detail, level=level,
                 links=[submission_link(submission)], references=references, account_id=account.id, order=30)


def mapping_event(mapping: SkuMapping, account: AmazonAccount) -> Event:
    scope = (_("every marketplace") if mapping.marketplace_id == ALL_MARKETPLACES
             else where(account, mapping.marketplace_id))
    if mapping.excluded:
        detail = _("Cart SKU %(sku)s is excluded in %(scope)s: it is not sent to Amazon.", sku=mapping.host_sku,
                   scope=scope)
    else:
        detail = _("Cart SKU %(sku)s is sent as seller SKU %(seller_sku)s in %(scope)s.", sku=mapping.host_sku,
                   seller_sku=mapping.seller_sku, scope=scope)
    if mapping.fba:
        detail += " " + _("Fulfilled by Amazon: quantities are not sent.")
    return Event(at=mapping.created_at, source="mapping", title=_("SKU mapping"), detail=detail,
                 links=[(_("SKU mapping"), url_for("stock.sku_mappings", account_id=account.id,
                                                   q=mapping.host_sku))],
                 account_id=account.id, order=5)
