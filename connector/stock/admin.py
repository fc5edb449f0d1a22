"""What a person can do on the stock sync pages; the views call these, and each leaves a line in the log."""
from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import AmazonAccount
from ..amazon.marketplaces import BY_ID
from ..clock import utcnow
from ..extensions import db
from ..jobs.registry import enqueue
from ..synclog.operations import record
from .forms import MappingForm, RulesForm
from .kicks import request_push
from .models import ALL_MARKETPLACES, ListingRules, SkuMapping
from .notices import LOG_KIND
from .resync import retry_rejected
from .settings import settings_for

RULE_FIELDS = ("stock_buffer", "max_quantity", "out_of_stock_threshold", "untracked_quantity", "markup_percent",
               "markup_fixed", "price_ending", "currency", "exchange_rate")


def rules_of(account: AmazonAccount, marketplace_id: str) -> ListingRules | None:
    return db.session.scalar(select(ListingRules).where(ListingRules.account_id == account.id,
                                                        ListingRules.marketplace_id == marketplace_id))


def save_rules(account: AmazonAccount, marketplace_id: str, form: RulesForm, actor: str) -> None:
    rules = rules_of(account, marketplace_id) or ListingRules(account_id=account.id, marketplace_id=marketplace_id)
    for name in RULE_FIELDS:
        setattr(rules, name, getattr(form, name).data)
    rules.currency = (rules.currency or "").strip().upper() or None
    rules.updated_at = utcnow()
    db.session.add(rules)
    _changed(account, f"Stock and price rules for {BY_ID[marketplace_id].name} changed by {actor}; what Amazon "
                      "should show is being recalculated.")
    enqueue("stock.rederive", account.id, "rules")


def save_mapping(account: AmazonAccount, form: MappingForm, actor: str) -> SkuMapping:
    host_sku = form.host_sku.data.strip()
    marketplace_id = form.marketplace_id.data
    mapping = db.session.scalar(select(SkuMapping).where(
        SkuMapping.account_id == account.id, SkuMapping.marketplace_id == marketplace_id,
        SkuMapping.host_sku == host_sku)) or SkuMapping(account_id=account.id, marketplace_id=marketplace_id,
                                                        host_sku=host_sku)
    mapping.excluded = bool(form.excluded.data)
    mapping.seller_sku = None if mapping.excluded else (form.seller_sku.data or "").strip()
    mapping.fba = bool(form.fba.data)
    db.session.add(mapping)
    where = "every marketplace" if marketplace_id == ALL_MARKETPLACES else BY_ID[marketplace_id].name
    target = "excluded" if mapping.excluded else f"sent as {mapping.seller_sku}" + (" (FBA)" if mapping.fba else "")
    _changed(account, f"Cart SKU {host_sku} is now {target} in {where} (changed by {actor}).", sku=host_sku)
    enqueue("stock.rederive", account.id, "mapping")
    return mapping


def delete_mapping(account: AmazonAccount, mapping_id: int, actor: str) -> bool:
    mapping = db.session.scalar(select(SkuMapping).where(SkuMapping.id == mapping_id,
                                                         SkuMapping.account_id == account.id))
    if mapping is None:
        return False
    host_sku = mapping.host_sku
    db.session.delete(mapping)
    _changed(account, f"The mapping of cart SKU {host_sku} was removed by {actor}: it is sent under its own SKU "
                      "again.", sku=host_sku)
    enqueue("stock.rederive", account.id, "mapping")
    return True


def set_auto_submit(account: AmazonAccount, enabled: bool, actor: str) -> None:
    settings_for(account.id).auto_submit = enabled
    if enabled:
        request_push([account.id], "auto_submit")
    _changed(account, f"Auto-submit {'switched on' if enabled else 'switched off'} by {actor}"
                      + ("." if enabled else ": changes are collected and sent when someone presses Push now."))


def set_mapped_only(account: AmazonAccount, enabled: bool, actor: str) -> None:
    settings_for(account.id).mapped_only = enabled
    _changed(account, f"{actor} set {account.alias} to send "
                      + ("only the SKUs in its mapping table." if enabled else "every cart SKU under its own SKU "
                                                                                 "unless mapped otherwise."))
    enqueue("stock.rederive", account.id, "mapping")


def push_now(account: AmazonAccount, actor: str) -> None:
    _changed(account, f"Push now requested by {actor}.")
    enqueue("stock.push", account.id, "push_now")


def start_full_resync(account: AmazonAccount, actor: str) -> None:
    _changed(account, f"Full resync requested by {actor}: every mapped SKU is sent to Amazon again.")
    enqueue("stock.full_resync", account.id)


def refresh_feeds(account: AmazonAccount, actor: str) -> None:
    enqueue("stock.check_feeds", account.id, "refresh", True)


def retry(account: AmazonAccount, actor: str) -> int:
    released = retry_rejected(account)
    _changed(account, f"{actor} asked to send the {released} rejected SKUs again.")
    return released


def _changed(account: AmazonAccount, message: str, **references) -> None:
    """Commit the change, then log it (the job queued after it sees the committed state)."""
    db.session.commit()
    record("info", LOG_KIND, message, shop_id=account.shop_id, account_id=account.id, **references)
