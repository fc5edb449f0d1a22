"""Adding, editing and deleting Amazon accounts; every change is scoped to the shop that owns it."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..security.credential_guard import forbidden_credential
from ..shops.models import Shop
from ..synclog.operations import record
from .forms import AccountForm
from .models import AmazonAccount


class ForbiddenCredential(ValueError):
    """Somebody pasted AWS keys or an MWS token; the message explains why we refuse them."""


def accounts_of(shop: Shop) -> list[AmazonAccount]:
    return list(db.session.scalars(select(AmazonAccount).where(AmazonAccount.shop_id == shop.id).order_by(AmazonAccount.id)))


def account_of(shop: Shop, account_id: int) -> AmazonAccount | None:
    """The only way views look an account up: another shop's account is simply not found."""
    return db.session.scalar(select(AmazonAccount).where(AmazonAccount.id == account_id, AmazonAccount.shop_id == shop.id))


def refuse_forbidden_credentials(values: dict) -> None:
    explanation = forbidden_credential(*(str(v) for v in values.values() if isinstance(v, str)))
    if explanation:
        raise ForbiddenCredential(explanation)


def apply_form(account: AmazonAccount, form: AccountForm) -> None:
    account.alias = form.alias.data.strip()
    account.region = form.region.data
    account.marketplace_ids = list(form.marketplace_ids.data)
    account.ship_from = form.ship_from()
    account.sync_stock = form.sync_stock.data
    account.sync_prices = form.sync_prices.data
    account.import_orders = form.import_orders.data
    account.confirm_shipments = form.confirm_shipments.data


def create_account(shop: Shop, form: AccountForm) -> AmazonAccount:
    account = AmazonAccount(shop_id=shop.id)
    apply_form(account, form)
    db.session.add(account)
    db.session.commit()
    record("info", "account", f"Amazon account {account.alias} added ({account.region}: "
           f"{', '.join(account.marketplace_ids)}).", shop_id=shop.id, account_id=account.id)
    return account


def update_account(account: AmazonAccount, form: AccountForm) -> None:
    if account.selling_partner_id and form.region.data != account.region:
        raise ValueError("The region cannot change while a token is stored: authorizations are regional. "
                         "Disconnect first, or add a new account for the other region.")
    apply_form(account, form)
    db.session.commit()
    record("info", "account", f"Settings of Amazon account {account.alias} changed.",
           shop_id=account.shop_id, account_id=account.id)


def delete_account(account: AmazonAccount) -> None:
    shop_id, account_id, alias = account.shop_id, account.id, account.alias
    db.session.delete(account)
    db.session.commit()
    record("info", "account", f"Amazon account {alias} deleted; its log entries are kept.",
           shop_id=shop_id, account_id=account_id)
