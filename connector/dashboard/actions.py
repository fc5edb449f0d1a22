"""The shop's "Actions to take": one sentence per problem saying what is wrong and what to do, with the place where
it is done. Computed from the account cards, most urgent first."""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext, ngettext

from ..accounts.models import AmazonAccount
from ..orders.models import CartState
from .cards import AccountCard

URGENT, SOON = "red", "amber"


@dataclass(frozen=True)
class Action:
    colour: str  # red: syncing or orders are stuck; amber: needs attention soon
    account: AmazonAccount
    text: str
    link_label: str
    link_url: str | None = None  # None: the action is the Request / Renew Token button
    renew_token: bool = False


def actions_for(cards: list[AccountCard]) -> list[Action]:
    actions = [action for card in cards for action in _card_actions(card)]
    return sorted(actions, key=lambda action: action.colour != URGENT)


def _card_actions(card: AccountCard) -> list[Action]:
    account, alias = card.account, card.account.alias
    actions = []
    if card.status.renewal_due:
        actions.append(_token_action(card))
    if card.skus.unknown:
        actions.append(Action(URGENT, account, ngettext(
            "Amazon does not know %(num)d SKU of %(alias)s (%(examples)s). Map the cart SKU to the seller SKU of "
            "its listing, or create the listing in Seller Central and press Retry on the SKU errors page.",
            "Amazon does not know %(num)d SKUs of %(alias)s (%(examples)s). Map the cart SKUs to the seller SKUs "
            "of their listings, or create the listings in Seller Central and press Retry on the SKU errors page.",
            card.skus.unknown, alias=alias, examples=_examples(card.skus.unknown_examples, card.skus.unknown)),
            gettext("Map SKUs"), url_for("stock.sku_mappings", account_id=account.id)))
    if card.skus.rejected:
        actions.append(Action(SOON, account, ngettext(
            "Amazon rejected %(num)d SKU of %(alias)s (%(examples)s). Read Amazon's reason and correct the value or "
            "the rules; it is sent again when it changes.",
            "Amazon rejected %(num)d SKUs of %(alias)s (%(examples)s). Read Amazon's reasons and correct the values "
            "or the rules; they are sent again when they change.",
            card.skus.rejected, alias=alias, examples=_examples(card.skus.rejected_examples, card.skus.rejected)),
            gettext("See SKU errors"), url_for("stock.errors", account_id=account.id)))
    if card.orders_held:
        actions.append(Action(URGENT, account, ngettext(
            "%(num)d Amazon order of %(alias)s is held: the cart does not know one of its SKUs. Add the product to "
            "your cart (or import unknown SKUs as custom lines), then press Retry.",
            "%(num)d Amazon orders of %(alias)s are held: the cart does not know one of their SKUs. Add the "
            "products to your cart (or import unknown SKUs as custom lines), then press Retry.",
            card.orders_held, alias=alias),
            gettext("See held orders"), url_for("orders.orders_list", account=account.id, state=CartState.HELD)))
    if card.orders_failed:
        actions.append(Action(URGENT, account, ngettext(
            "The cart refused %(num)d Amazon order of %(alias)s. Read the cart's reason, fix it, then press Retry.",
            "The cart refused %(num)d Amazon orders of %(alias)s. Read the cart's reasons, fix them, then press "
            "Retry.", card.orders_failed, alias=alias),
            gettext("See refused orders"), url_for("orders.orders_list", account=account.id, state=CartState.FAILED)))
    if card.shipments_unconfirmed:
        actions.append(Action(SOON, account, ngettext(
            "%(num)d shipment of %(alias)s is not confirmed on Amazon yet. Check its carrier and tracking number; "
            "press Retry once Amazon refused it.",
            "%(num)d shipments of %(alias)s are not confirmed on Amazon yet. Check their carriers and tracking "
            "numbers; press Retry on those Amazon refused.", card.shipments_unconfirmed, alias=alias),
            gettext("See shipments"), url_for("accounts.detail", account_id=account.id, _anchor="orders")))
    return actions


def _token_action(card: AccountCard) -> Action:
    alias = card.account.alias
    if card.status.code == "not_connected":
        text = gettext("%(alias)s is not connected to Amazon yet: nothing is synced. Click Request / Renew Token "
                       "and authorize the app in Seller Central.", alias=alias)
        colour = SOON
    elif card.status.code == "expiring":
        text = ngettext("The Amazon authorization of %(alias)s expires in %(num)d day. Renew the token now, so "
                        "syncing never stops.",
                        "The Amazon authorization of %(alias)s expires in %(num)d days. Renew the token now, so "
                        "syncing never stops.", card.status.days_left or 0, alias=alias)
        colour = SOON
    else:
        text = gettext("Syncing of %(alias)s is paused: %(reason)s", alias=alias, reason=card.status.words)
        colour = URGENT
    return Action(colour, card.account, text, gettext("Request / Renew Token"), renew_token=True)


def _examples(skus: list[str], total: int) -> str:
    shown = ", ".join(skus)
    return shown if total <= len(skus) else gettext("%(skus)s and others", skus=shown)
