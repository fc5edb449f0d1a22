"""The demo: the demo shop's store receives the imported Amazon orders through the connector's real WooCommerce
client, and shipping one there confirms it on the simulator, every step in the log."""
from __future__ import annotations

import re
import threading

import pytest
from werkzeug.serving import make_server

from connector.democart.store import connect_demo_store
from connector.jobs.registry import enqueue
from orderhelpers import connect_account, imported, log_messages
from helpers import make_shop


@pytest.fixture
def served(app):
    """The connector on a real port: the job calls the demo store over HTTP, the store calls the webhook back."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.config["PUBLIC_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app.config["PUBLIC_URL"]
    server.shutdown()


def test_orders_reach_the_demo_store_and_shipping_one_confirms_it(app, amazon, served):
    shop = make_shop(name="Demo shop")
    connect_demo_store(shop, served)
    assert shop.cart_api_url == f"{served}/demo-cart/{shop.shop_key}/store" and shop.cart_api_key.startswith("ck_")
    account = connect_account(shop, amazon.state)
    order = amazon.order("DEMO-SKU-003", quantity=2)
    amazon.settle()

    enqueue("orders.import", account.id)

    assert imported(account.id)[order.order_id].cart_state == "created"
    cart = app.test_client()
    page = cart.get(f"/demo-cart/{shop.shop_key}/orders").get_data(as_text=True)
    assert order.order_id in page and "2 × " in page and "processing" in page
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    order_id = re.search(r'/orders/(\d+)/ship', page).group(1)
    assert cart.post(f"/demo-cart/{shop.shop_key}/orders/{order_id}/ship",
                     data={"form_token": "forged", "carrier": "ups", "tracking_number": "1Z1"}).status_code == 400

    shipped = cart.post(f"/demo-cart/{shop.shop_key}/orders/{order_id}/ship",
                        data={"form_token": token, "carrier": "ups", "tracking_number": "1Z0000000001"},
                        follow_redirects=True).get_data(as_text=True)

    assert "answered HTTP 200" in shipped and "completed" in shipped
    [confirmation] = amazon.world.confirmations(order_id=order.order_id)
    assert confirmation.accepted and confirmation.body["packageDetail"]["carrierCode"] == "UPS"
    messages = log_messages()
    for step in ("Order import for US main: 1 new order(s)", f"Amazon order {order.order_id} created in WooCommerce",
                 f"Amazon order {order.order_id} shipped in the cart",
                 f"Amazon confirmed the shipment of order {order.order_id}"):
        assert any(step in message for message in messages), step


def test_the_demo_store_checks_oauth_signatures_and_stays_local(app, served):
    shop = make_shop(name="Demo shop")
    connect_demo_store(shop, served)
    client = app.test_client()
    assert client.get(f"/demo-cart/{shop.shop_key}/store/wp-json/wc/v3/products").status_code == 401
    assert client.get(f"/demo-cart/{shop.shop_key}/orders", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 404
