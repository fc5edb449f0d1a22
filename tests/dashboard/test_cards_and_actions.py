"""The dashboard's account cards and its Actions to take, on the state real pushes, imports and token expiry leave."""
from __future__ import annotations

from datetime import timedelta

from dashhelpers import actions, card, text
from hostwebhooks import generic
from orderhelpers import connect_account as connect_order_account
from orderhelpers import imported, woo_shop
from stockhelpers import connect_account, demo_items, push_and_settle

from connector import clock
from connector.extensions import db
from connector.jobs.registry import enqueue
from connector.orders.models import CartState, Shipment, ShipmentState
from connector.stock.models import ListingRules
from connector.dashboard.cards import card_for
from helpers import launch, make_shop

US = "ATVPDKIKX0DER"


def _stock_shop(app, sandbox):
    shop = make_shop("Generic shop", "generic", "https://generic.example")
    account = connect_account(sandbox, shop)
    client = app.test_client()
    return shop, account, (lambda items: generic(client, shop, "product.updated", items))


def test_card_shows_token_last_push_pending_changes_and_everything_in_order(app, sandbox, feeds):
    shop, account, send = _stock_shop(app, sandbox)
    send(demo_items(range(1, 4), 7, "19.00"))
    push_and_settle(sandbox, account.id)
    send(demo_items([1, 2], 8, "19.00"))  # not pushed yet: pending

    html = launch(app.test_client(), shop).get("/admin/").get_data(as_text=True)
    shown = text(card(html, account.id))
    expiry = (clock.utcnow() + timedelta(days=365)).strftime("%Y-%m-%d")
    assert "Connected: expires on" in shown and f"Token expires on {expiry}" in shown and "365 days left" in shown
    assert 'data-status-code="connected"' in html and "status-green" in card(html, account.id)
    assert "Sent 3 changes to Amazon." in shown
    pending = text(card(html, account.id).split('data-card-field="pending">')[1].split("</dd>")[0])
    assert pending.startswith("2")
    assert "Order import is off" not in shown and "Last order import Never" in shown
    assert "Request / Renew Token" in shown and "Test connection" in shown
    # Nothing waits for a person: the empty state with the last sync times.
    assert actions(html) == []
    clear = text(html.split("data-all-clear>")[1].split("</div>")[0])
    assert "Everything is in order" in clear and "US main" in clear and "last stock push 20" in clear


def test_unknown_and_rejected_skus_become_actions_with_the_pages_to_fix_them(app, sandbox, feeds):
    shop, account, send = _stock_shop(app, sandbox)
    send(demo_items(range(1, 4), 5, "20.00") + [{"sku": "NOT-ON-AMAZON", "quantity": 5, "price": "20.00"}])
    push_and_settle(sandbox, account.id)
    # A rule Amazon refuses (euros in the US marketplace): the next SKU is rejected for its values.
    db.session.add(ListingRules(account_id=account.id, marketplace_id=US, currency="EUR", exchange_rate=1))
    db.session.commit()
    send(demo_items([5], 5, "20.00"))
    push_and_settle(sandbox, account.id)

    problems = card_for(account).skus
    assert (problems.unknown, problems.unknown_examples) == (1, ["NOT-ON-AMAZON"])
    assert (problems.rejected, problems.rejected_examples) == (1, ["DEMO-SKU-005"])
    html = launch(app.test_client(), shop).get("/admin/").get_data(as_text=True)
    listed = actions(html)
    assert listed[0].startswith("Amazon does not know 1 SKU of US main (NOT-ON-AMAZON). Map the cart SKU")
    assert listed[1].startswith("Amazon rejected 1 SKU of US main (DEMO-SKU-005).")
    assert f'href="/admin/stock/accounts/{account.id}/mappings">Map SKUs</a>' in html
    assert f'href="/admin/stock/accounts/{account.id}/errors">See SKU errors</a>' in html
    assert "2 problems" in text(card(html, account.id))
    assert "Everything is in order" not in html


def test_held_and_refused_orders_and_unconfirmed_shipments_become_actions(app, amazon, woo):
    shop = woo_shop(woo)
    account = connect_order_account(shop, amazon.state)
    held = amazon.order("SKU-A", "NEW-SKU-9")
    created = amazon.order("SKU-B")
    amazon.settle()
    enqueue("orders.import", account.id)
    orders = imported(account.id)
    assert orders[held.order_id].cart_state == CartState.HELD
    assert orders[created.order_id].cart_state == CartState.CREATED
    # What the cart and Amazon leave when they refuse: set directly, their own flows are tested in tests/orders.
    refused = orders[created.order_id]
    db.session.add(Shipment(shop_id=shop.id, account_id=account.id, order_id=refused.id, cart_key="woo:1",
                            package_reference="1", items=[], carrier="Bad Carrier", tracking_number="X1",
                            shipped_at=clock.utcnow(), state=ShipmentState.REFUSED, attempts=1,
                            last_problem="Amazon refused the carrier code."))
    db.session.commit()

    html = launch(app.test_client(), shop).get("/admin/").get_data(as_text=True)
    listed = actions(html)
    assert any(line.startswith("1 Amazon order of US main is held: the cart does not know one of its SKUs.")
               for line in listed)
    assert any(line.startswith("1 shipment of US main is not confirmed on Amazon yet.") for line in listed)
    assert f'href="/admin/orders?account={account.id}&amp;state=held">See held orders</a>' in html
    assert f'href="/admin/accounts/{account.id}#orders">See shipments</a>' in html
    shown = text(card(html, account.id))
    assert "Last order import Never" not in shown and "2 problems" in shown

    refused.cart_state = CartState.FAILED
    db.session.commit()
    html = launch(app.test_client(), shop).get("/admin/").get_data(as_text=True)
    assert any(line.startswith("The cart refused 1 Amazon order of US main.") for line in actions(html))
    assert f'href="/admin/orders?account={account.id}&amp;state=failed">See refused orders</a>' in html


def test_token_actions_say_when_and_carry_the_renew_button(app, sandbox):
    shop = make_shop("Generic shop", "generic", "https://generic.example")
    account = connect_account(sandbox, shop)
    from connector.accounts.models import AmazonAccount
    db.session.add(AmazonAccount(shop_id=shop.id, alias="EU new", region="EU", marketplace_ids=["A1PA6795UKMFR9"]))
    db.session.commit()

    html = launch(app.test_client(), shop).get("/admin/").get_data(as_text=True)
    assert actions(html) == ["EU new is not connected to Amazon yet: nothing is synced. Click Request / Renew Token "
                             "and authorize the app in Seller Central."]

    clock.advance(timedelta(days=355))
    html = launch(app.test_client(), shop).get("/admin/").get_data(as_text=True)
    listed = actions(html)
    assert listed[0] == ("The Amazon authorization of US main expires in 10 days. Renew the token now, so syncing "
                         "never stops.")
    todo = html.split('data-actions>')[1].split("</section>")[0]
    assert todo.count("data-request-token") == 2 and "action-amber" in todo
    assert "10 days left" in text(card(html, account.id))

    clock.advance(timedelta(days=11))
    html = launch(app.test_client(), shop).get("/admin/").get_data(as_text=True)
    listed = actions(html)
    assert listed[0].startswith("Syncing of US main is paused: Expired on")  # urgent first
    assert 'class="action action-red"' in html and "status-red" in card(html, account.id)
