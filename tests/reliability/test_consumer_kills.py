"""A job consumer killed with SIGKILL in the middle of each kind of work that talks to Amazon or the cart: the call
hangs (a simulator fault, or a cart that stores the order and then takes its time to answer), the consumer holding
the job's lease is killed and started again, and the heartbeat check reruns the job. Afterwards every stock change
is on Amazon, no order is in the cart twice, no shipment confirmed twice, and every acknowledged webhook is processed.

The cluster runs with a 10 s lease and a 2 s scheduler tick (world.FAST_RECOVERY) so each recovery takes seconds."""
from __future__ import annotations

import json
import time

from world import HOSTS_DIR, US, World, explain, kill_holder, wait_for
from sender import Sender

RECOVERY_TIMEOUT = 60
SKUS = [f"KILL-{n:02d}" for n in range(40)]  # more than PATCH_LIMIT: one feed


def interrupted_runs(world: World, kind: str, account_id: int) -> int:
    return world.scalar("SELECT count(*) FROM sync_runs WHERE kind = :kind AND account_id = :account "
                        "AND status = 'interrupted'", kind=kind, account=account_id)


def test_killed_during_a_feed_submission_every_stock_change_reaches_amazon(world):
    seller = world.seller()
    shop = world.shop("generic", "Feed kill")
    account = world.account(shop, seller)
    world.seed_listings(seller, SKUS, quantity=0)
    fault = world.hang("createFeed")
    sender = Sender(f"{world.cluster.url}/webhooks/generic/{shop.shop_key}", shop.webhook_secret)
    final = {sku: 5 + number for number, sku in enumerate(SKUS)}
    deliveries = [sender.event("stock.updated", {"sku": sku, "quantity": quantity}) for sku, quantity in final.items()]
    sender.deliver_all(deliveries, per_second=50)
    assert all(d.acknowledged_at for d in deliveries)

    wait_for(lambda: fault.remaining == 0, 60, what="createFeed to hang")
    killed, killed_at = kill_holder(world, f"stock-push:{account.id}")
    # A second round of changes while the push is dead: they must reach Amazon too.
    final.update({sku: 100 + number for number, sku in enumerate(SKUS[:5])})
    more = [sender.event("stock.updated", {"sku": sku, "quantity": final[sku]}) for sku in SKUS[:5]]
    sender.deliver_all(more, per_second=50)

    def on_amazon() -> bool:
        return all((world.state.listings.get(seller, "ATVPDKIKX0DER", sku) or {}).get("quantity") == quantity
                   for sku, quantity in final.items())

    try:
        wait_for(on_amazon, RECOVERY_TIMEOUT, what="every final quantity on Amazon")
    except AssertionError:
        raise AssertionError(explain(world, account.id)) from None
    recovered_in = time.monotonic() - killed_at
    assert interrupted_runs(world, "listings_push", account.id) == 1
    assert world.undelivered_webhooks(shop.id) == 0
    print(json.dumps({"scenario": "feed submission", "killed": killed, "recovered_seconds": round(recovered_in, 1),
                      "feeds": len(world.state.calls("createFeed"))}))


def test_killed_after_amazon_created_the_feed_but_before_its_answer_came_back(world):
    """Amazon took the feed (createFeed answered late) and the consumer died waiting: the connector never learnt the
    feed's ID. That feed stays in Amazon's queue longer than the recovery takes, so the changes sent again must not
    be overtaken by it; every SKU ends with its final quantity."""
    seller = world.seller()
    shop = world.shop("generic", "Late feed kill")
    account = world.account(shop, seller)
    skus = [f"LATE-{n:02d}" for n in range(40)]
    world.seed_listings(seller, skus, quantity=0)
    world.state.feeds.processing_seconds = 25  # for the feed whose answer is lost only
    world.answer_late("createFeed", 60)
    sender = Sender(f"{world.cluster.url}/webhooks/generic/{shop.shop_key}", shop.webhook_secret)
    final = {sku: 5 + number for number, sku in enumerate(skus)}
    sender.deliver_all([sender.event("stock.updated", {"sku": sku, "quantity": quantity})
                        for sku, quantity in final.items()], per_second=50)
    wait_for(lambda: world.amazon_calls("createFeed", seller), 60, what="Amazon to create the feed")
    world.state.feeds.processing_seconds = 0.5
    lost_feed = next(feed for feed in world.state.feeds.feeds.values() if feed.selling_partner_id == seller)
    killed, killed_at = kill_holder(world, f"stock-push:{account.id}")
    final.update({sku: 100 + number for number, sku in enumerate(skus[:5])})
    more = [sender.event("stock.updated", {"sku": sku, "quantity": final[sku]}) for sku in skus[:5]]
    sender.deliver_all(more, per_second=50)

    def settled() -> bool:
        return lost_feed.processed and all(
            (world.state.listings.get(seller, US, sku) or {}).get("quantity") == quantity
            for sku, quantity in final.items())

    try:
        wait_for(settled, 90, what="the lost feed processed and every final quantity on Amazon")
        time.sleep(2)  # nothing still queued at Amazon may change them afterwards
        assert all(world.state.listings.get(seller, US, sku)["quantity"] == quantity for sku, quantity in final.items())
    except AssertionError:
        raise AssertionError(explain(world, account.id)) from None
    recovered_in = time.monotonic() - killed_at
    last_applied = {entry.sku: entry for entry in world.state.listings.applications(selling_partner_id=seller)}
    assert all(last_applied[sku].source != f"feed:{lost_feed.feed_id}" for sku in skus[:5])
    assert interrupted_runs(world, "listings_push", account.id) == 1
    assert world.undelivered_webhooks(shop.id) == 0
    messages = world.log_messages(account.id)
    assert any("Amazon may still process that feed" in message for message in messages)  # it waited for it
    assert any("stopped before Amazon answered" in message for message in messages)  # then sent the changes again
    print(json.dumps({"scenario": "feed created, answer lost", "killed": killed,
                      "recovered_seconds": round(recovered_in, 1),
                      "feeds": len(world.amazon_calls("createFeed", seller))}))


def order_shop(world: World, name: str, orders: int, *, before_account=None):
    """A WooCommerce shop whose cart knows the SKUs, an account with `orders` Amazon orders waiting for the import.
    `before_account` runs before the account exists (its first scheduled import starts at once)."""
    seller = world.seller()
    skus = [f"ORD-{n:02d}" for n in range(orders)]
    for sku in skus:
        if sku not in {product["sku"] for product in world.woo.products.values()}:
            world.woo.add_product(sku)
    order_ids = world.amazon_orders(seller, skus)
    shop = world.shop("woocommerce", name)
    if before_account:
        before_account()
    return shop, world.account(shop, seller), order_ids


def in_cart(world: World, order_ids: list[str]) -> bool:
    return all(world.woo.amazon_orders(order_id) for order_id in order_ids)


def assert_each_order_once(world: World, account_id: int, order_ids: list[str]) -> None:
    assert all(len(world.woo.amazon_orders(order_id)) == 1 for order_id in order_ids), \
        {order_id: len(world.woo.amazon_orders(order_id)) for order_id in order_ids}
    rows = world.rows("SELECT amazon_order_id, cart_state FROM imported_orders WHERE account_id = :a", a=account_id)
    assert sorted(order_id for order_id, _ in rows) == sorted(order_ids)  # one row per order
    assert {state for _, state in rows} == {"created"}


def test_killed_during_an_order_import_page_no_order_is_lost_or_doubled(world):
    faults = []
    shop, account, order_ids = order_shop(world, "Import kill", 12,
                                          before_account=lambda: faults.append(world.hang("searchOrders")))
    wait_for(lambda: faults[0].remaining == 0, 60, what="searchOrders to hang")
    killed, killed_at = kill_holder(world, f"order-import:{account.id}")
    try:
        wait_for(lambda: in_cart(world, order_ids), RECOVERY_TIMEOUT, what="every order in the cart")
    except AssertionError:
        raise AssertionError(explain(world, account.id)) from None
    recovered_in = time.monotonic() - killed_at
    assert_each_order_once(world, account.id, order_ids)
    assert interrupted_runs(world, "order_import", account.id) == 1
    print(json.dumps({"scenario": "order import page", "killed": killed, "recovered_seconds": round(recovered_in, 1),
                      "orders": len(order_ids)}))


def test_killed_during_a_cart_order_creation_no_order_is_created_twice(world):
    stalled = []

    def answer_slowly(order: dict) -> None:
        """The cart stores the first order, then takes its time to answer: the consumer dies waiting."""
        if not stalled:
            stalled.append(order["id"])
            time.sleep(20)

    world.woo.after_create = answer_slowly
    try:
        shop, account, order_ids = order_shop(world, "Cart kill", 8)
        wait_for(lambda: stalled, 60, what="a cart order creation to hang")
        killed, killed_at = kill_holder(world, f"cart-orders:{shop.id}")
        try:
            wait_for(lambda: in_cart(world, order_ids) and world.scalar(
                "SELECT count(*) FROM imported_orders WHERE account_id = :a AND cart_state <> 'created'",
                a=account.id) == 0, RECOVERY_TIMEOUT, what="every order created in the cart")
        except AssertionError:
            raise AssertionError(explain(world, account.id)) from None
    finally:
        world.woo.after_create = None
    recovered_in = time.monotonic() - killed_at
    assert_each_order_once(world, account.id, order_ids)  # the order the cart stored before the kill included
    print(json.dumps({"scenario": "cart order creation", "killed": killed,
                      "recovered_seconds": round(recovered_in, 1), "orders": len(order_ids)}))


def completed(world: World, amazon_order_id: str) -> dict:
    """WooCommerce's order.updated once the shop owner completes the order with a Shipment Tracking number."""
    created = world.woo.amazon_orders(amazon_order_id)[0]
    payload = json.loads((HOSTS_DIR / "woocommerce/order.updated.json").read_text())
    tracking = {"key": "_wc_shipment_tracking_items", "value": [
        {"tracking_provider": "UPS", "custom_tracking_provider": "", "custom_tracking_link": "",
         "tracking_number": f"1Z{amazon_order_id[-8:]}", "date_shipped": str(int(time.time()) - 3600),
         "tracking_id": "a1b2c3"}]}
    payload.update(id=created["id"], number=created["number"], status="completed", line_items=created["line_items"],
                   meta_data=created["meta_data"] + [tracking])
    return payload


def test_killed_during_a_shipment_confirmation_no_shipment_is_confirmed_twice(world):
    shop, account, order_ids = order_shop(world, "Shipment kill", 6)
    wait_for(lambda: in_cart(world, order_ids), RECOVERY_TIMEOUT, what="every order in the cart")
    fault = world.hang("confirmShipment")
    for order_id in order_ids:  # every save of the order fires order.updated again
        world.woocommerce_webhook(shop, "order.updated", completed(world, order_id))
        world.woocommerce_webhook(shop, "order.updated", completed(world, order_id))
    wait_for(lambda: fault.remaining == 0, 60, what="confirmShipment to hang")
    killed, killed_at = kill_holder(world, f"shipment-confirmation:{account.id}")

    def all_confirmed() -> bool:
        return all(world.state.orders.confirmations(order_id, accepted=True) for order_id in order_ids)

    try:
        wait_for(all_confirmed, RECOVERY_TIMEOUT, what="every shipment confirmed on Amazon")
    except AssertionError:
        raise AssertionError(explain(world, account.id)) from None
    recovered_in = time.monotonic() - killed_at
    time.sleep(3)  # a second confirmation, if one were coming, would come now
    assert {order_id: len(world.state.orders.confirmations(order_id, accepted=True)) for order_id in order_ids} \
        == {order_id: 1 for order_id in order_ids}
    assert world.rows("SELECT DISTINCT state FROM order_shipments s JOIN imported_orders o ON o.id = s.order_id "
                      "WHERE o.account_id = :a", a=account.id) == [("confirmed",)]
    assert world.undelivered_webhooks(shop.id) == 0
    print(json.dumps({"scenario": "shipment confirmation", "killed": killed,
                      "recovered_seconds": round(recovered_in, 1), "shipments": len(order_ids)}))


def test_killed_after_amazon_accepted_a_confirmation_whose_answer_never_came_back(world):
    """Amazon shipped the package (confirmShipment answered late) and the consumer died waiting: the rerun must
    find the package on Amazon, mark the shipment confirmed, and never send a second package."""
    shop, account, order_ids = order_shop(world, "Late shipment kill", 4)
    wait_for(lambda: in_cart(world, order_ids), RECOVERY_TIMEOUT, what="every order in the cart")
    world.answer_late("confirmShipment", 60)
    for order_id in order_ids:
        world.woocommerce_webhook(shop, "order.updated", completed(world, order_id))
    accepted = wait_for(lambda: [attempt for attempt in world.state.orders.confirmations(accepted=True)
                                 if attempt.order_id in order_ids], 60, what="Amazon to accept a confirmation")
    late_order = accepted[0].order_id
    killed, killed_at = kill_holder(world, f"shipment-confirmation:{account.id}")

    def all_confirmed() -> bool:
        return world.scalar("SELECT count(*) FROM order_shipments s JOIN imported_orders o ON o.id = s.order_id "
                            "WHERE o.account_id = :a AND s.state = 'confirmed'", a=account.id) == len(order_ids)

    try:
        wait_for(all_confirmed, RECOVERY_TIMEOUT, what="every shipment confirmed")
    except AssertionError:
        raise AssertionError(explain(world, account.id)) from None
    recovered_in = time.monotonic() - killed_at
    time.sleep(3)  # a second confirmation, if one were coming, would come now
    attempts = {order_id: len(world.state.orders.confirmations(order_id)) for order_id in order_ids}
    assert attempts == {order_id: 1 for order_id in order_ids}  # the late one was not even sent again
    assert [len(world.state.orders.order(order_id).packages) for order_id in order_ids] == [1] * len(order_ids)
    assert any(message.startswith(f"Amazon already had the shipment of order {late_order}")
               for message in world.log_messages(account.id))
    assert world.undelivered_webhooks(shop.id) == 0
    print(json.dumps({"scenario": "confirmation accepted, answer lost", "killed": killed,
                      "recovered_seconds": round(recovered_in, 1), "shipments": len(order_ids)}))
