"""What Amazon answered, recorded per SKU: accepted values become "what Amazon last accepted" (and pending is
recomputed against them); a rejected SKU keeps its change pending, marked with Amazon's error, and is held so the
same values are not sent again in a loop."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, case, false, func, or_, update

from ..amazon.marketplaces import BY_ID
from ..extensions import db
from ..synclog.runs import RunRecorder
from .backlog import release
from .models import Hold, ItemStatus, ListingState, Submission, SubmissionItem
from .notices import Notice, note

NOT_FOUND_CODES = frozenset({"NOT_FOUND"})
FBA_CODES = frozenset({"FBA_QUANTITY_NOT_ALLOWED"})
LOGGED_REJECTIONS = 100  # per submission; the submission's page lists them all


@dataclass(frozen=True)
class Rejection:
    listing_id: int
    message_id: int
    seller_sku: str
    code: str | None
    message: str
    issues: list[dict]

    @property
    def hold(self) -> str | None:
        if self.code in FBA_CODES:
            return None  # the price goes again, without the quantity
        return Hold.RETRY if self.code in NOT_FOUND_CODES else Hold.VALUES


def marketplace_name(marketplace_id: str) -> str:
    marketplace = BY_ID.get(marketplace_id)
    return marketplace.name if marketplace else marketplace_id


def advice(code: str | None) -> str:
    if code in NOT_FOUND_CODES:
        return ("Create the listing in Seller Central or map the cart SKU to the listing's seller SKU, then press "
                "Retry rejected SKUs.")
    if code in FBA_CODES:
        return "It is fulfilled by Amazon: its quantity is not sent any more; its price is sent again."
    if code == "4002008":
        return "The connector sent a message Amazon's schema refuses; please report this to support."
    return "Correct the product in the cart or the rules of this marketplace; it is sent again when its values change."


def settle(submission: Submission, rejections: list[Rejection], now: datetime, run: RunRecorder, *,
           shop_id: int, reference: str) -> int:
    """Record the rejections, then accept every other SKU still in flight in the submission; returns how many
    were accepted."""
    _reject(submission, rejections, now)
    _log_rejections(submission, rejections, run, shop_id, reference)
    table = ListingState.__table__
    accepted_quantity = func.coalesce(table.c.sent_quantity, table.c.accepted_quantity)
    accepted_price = func.coalesce(table.c.sent_price, table.c.accepted_price)
    accepted_currency = case((table.c.sent_price.is_not(None), table.c.sent_currency), else_=table.c.accepted_currency)
    quantity_pending = and_(table.c.desired_quantity.is_not(None), table.c.fba.is_(false()),
                            table.c.amazon_fba.is_(false()),
                            table.c.desired_quantity.is_distinct_from(accepted_quantity))
    price_pending = and_(table.c.desired_price.is_not(None),
                         or_(table.c.desired_price.is_distinct_from(accepted_price),
                             table.c.desired_currency.is_distinct_from(accepted_currency)))
    accepted = db.session.execute(
        update(table).where(table.c.submission_id == submission.id).values(
            accepted_quantity=accepted_quantity, accepted_price=accepted_price, accepted_currency=accepted_currency,
            accepted_at=now, quantity_pending=quantity_pending, price_pending=price_pending,
            pending=or_(quantity_pending, price_pending), submission_id=None, sent_quantity=None, sent_price=None,
            sent_currency=None, hold=None, error_code=None, error_message=None, error_at=None,
            error_submission_id=None)
    ).rowcount
    items = SubmissionItem.__table__
    db.session.execute(update(items).where(items.c.submission_id == submission.id, items.c.status == ItemStatus.SENT)
                       .values(status=ItemStatus.ACCEPTED))
    return accepted


def give_up(submission: Submission) -> int:
    """Nothing is known about the submission's SKUs: they are pending again and go out with the next push."""
    items = SubmissionItem.__table__
    db.session.execute(update(items).where(items.c.submission_id == submission.id, items.c.status == ItemStatus.SENT)
                       .values(status=ItemStatus.UNKNOWN))
    return release(submission.id)


def _reject(submission: Submission, rejections: list[Rejection], now: datetime) -> None:
    if not rejections:
        return
    items = SubmissionItem.__table__
    db.session.execute(
        update(items).where(items.c.submission_id == submission.id, items.c.message_id == bindparam("b_message"))
        .values(status=ItemStatus.REJECTED, error_code=bindparam("b_code"), message=bindparam("b_text"),
                issues=bindparam("b_issues")),
        [{"b_message": r.message_id, "b_code": r.code, "b_text": r.message, "b_issues": r.issues} for r in rejections],
    )
    table = ListingState.__table__
    changed_since = table.c.changed_at > submission.created_at  # newer values arrived while these were in flight
    db.session.execute(
        update(table).where(table.c.id == bindparam("b_id")).values(
            submission_id=None, sent_quantity=None, sent_price=None, sent_currency=None,
            error_code=bindparam("b_code"), error_message=bindparam("b_text"), error_at=now,
            error_submission_id=submission.id,
            hold=case((bindparam("b_hold") == Hold.RETRY, Hold.RETRY), (changed_since, None),
                      else_=bindparam("b_hold")),
        ),
        [{"b_id": r.listing_id, "b_code": (r.code or "")[:80] or None, "b_text": r.message, "b_hold": r.hold}
         for r in rejections],
    )
    fba = [r.listing_id for r in rejections if r.code in FBA_CODES]
    if fba:
        db.session.execute(update(table).where(table.c.id.in_(fba)).values(
            amazon_fba=True, quantity_pending=False, pending=table.c.price_pending))


def _log_rejections(submission: Submission, rejections: list[Rejection], run: RunRecorder, shop_id: int,
                    reference: str) -> None:
    country = marketplace_name(submission.marketplace_id)
    notices = []
    logged = 0
    for rejection in rejections:
        text = (f"Amazon rejected SKU {rejection.seller_sku} in {reference} ({country}): "
                f"{rejection.message.rstrip('.')}. {advice(rejection.code)}")
        if rejection.code in NOT_FOUND_CODES:
            notices.append(Notice("not_on_amazon", rejection.seller_sku, text, submission.account_id,
                                  submission.marketplace_id, level="error"))
        elif logged < LOGGED_REJECTIONS:
            run.log("error", text, commit=False, sku=rejection.seller_sku[:100], feed_id=submission.feed_id,
                    error_code=(rejection.code or "")[:80] or None)
            logged += 1
    note(shop_id, notices)
    others = len(rejections) - len(notices) - logged
    if others > 0:
        run.log("error", f"Amazon rejected {others} more SKUs in {reference} ({country}); the submission's page lists "
                         "each with Amazon's message.", commit=False, feed_id=submission.feed_id)
