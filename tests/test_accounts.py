"""Adding, editing, disconnecting and deleting Amazon accounts, and refusing credentials we must never hold."""
from __future__ import annotations

from helpers import add_account, csrf_from
from connector.accounts.models import AmazonAccount
from connector.extensions import db
from connector.synclog.models import LogEntry

AWS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def test_empty_state_invites_to_add_an_account(admin):
    html = admin.get("/admin/").get_data(as_text=True)
    assert "No Amazon account connected yet" in html and "Add Amazon account" in html


def test_add_account_with_marketplaces_ship_from_and_switches(admin):
    account_id = add_account(
        admin, alias="EU main", region="EU", marketplaces=("A1PA6795UKMFR9", "A13V1IB3VIYZZH"),
        ship_from_name="Warehouse 1", ship_from_city="Berlin", ship_from_country="de",
    )
    account = db.session.get(AmazonAccount, account_id)
    assert account.marketplace_ids == ["A1PA6795UKMFR9", "A13V1IB3VIYZZH"]
    assert account.ship_from == {"name": "Warehouse 1", "city": "Berlin", "country": "DE"}
    assert account.sync_stock and account.import_orders and not account.sync_prices and not account.confirm_shipments
    html = admin.get(f"/admin/accounts/{account_id}").get_data(as_text=True)
    assert "Not connected" in html and "Request / Renew Token" in html and "button-danger" in html
    assert "Germany (DE)" in html and "France (FR)" in html


def test_marketplace_must_belong_to_the_region(admin):
    page = admin.get("/admin/accounts/new").get_data(as_text=True)
    response = admin.post("/admin/accounts/new", data={
        "csrf_token": csrf_from(page), "alias": "Mixed", "region": "EU", "marketplace_ids": ["ATVPDKIKX0DER"]})
    assert response.status_code == 400
    assert "belong(s) to another region" in response.get_data(as_text=True)
    assert db.session.scalars(db.select(AmazonAccount)).first() is None


def test_edit_disconnect_and_delete(admin):
    account_id = add_account(admin)
    page = admin.get(f"/admin/accounts/{account_id}/edit").get_data(as_text=True)
    response = admin.post(f"/admin/accounts/{account_id}/edit", data={
        "csrf_token": csrf_from(page), "alias": "Renamed", "region": "EU",
        "marketplace_ids": ["A1PA6795UKMFR9"], "confirm_shipments": "y"})
    assert response.status_code == 302
    account = db.session.get(AmazonAccount, account_id)
    assert account.alias == "Renamed" and account.confirm_shipments and not account.sync_stock

    account.refresh_token, account.selling_partner_id = "Atzr|secret-value", "A2DEMOSELLEREU"
    db.session.commit()
    token = csrf_from(admin.get(f"/admin/accounts/{account_id}").get_data(as_text=True))
    assert admin.post(f"/admin/accounts/{account_id}/disconnect", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    account = db.session.get(AmazonAccount, account_id)
    assert account.refresh_token is None and account.alias == "Renamed" and account.disconnected_at

    assert admin.post(f"/admin/accounts/{account_id}/delete", data={"csrf_token": token}).status_code == 302
    assert db.session.get(AmazonAccount, account_id) is None
    kept = db.session.scalars(db.select(LogEntry).where(LogEntry.account_id == account_id)).all()
    assert any("deleted" in entry.message for entry in kept) and any("disconnected" in e.message for e in kept)


def test_aws_keys_are_refused_everywhere_and_never_stored(app, admin, caplog):
    account_id = add_account(admin)
    page = admin.get(f"/admin/accounts/{account_id}").get_data(as_text=True)
    for token in (AWS_SECRET, f"{AWS_KEY_ID}", f"key {AWS_KEY_ID} secret {AWS_SECRET}"):
        response = admin.post(f"/admin/accounts/{account_id}/token", data={
            "csrf_token": csrf_from(page), "selling_partner_id": "A2DEMOSELLEREU", "refresh_token": token})
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "Never give your AWS access key ID or secret access key to a third party" in html
        assert AWS_SECRET not in html and AWS_KEY_ID not in html
    new_page = admin.get("/admin/accounts/new").get_data(as_text=True)
    response = admin.post("/admin/accounts/new", data={
        "csrf_token": csrf_from(new_page), "alias": AWS_KEY_ID, "region": "EU", "marketplace_ids": ["A1PA6795UKMFR9"]})
    assert response.status_code == 422
    assert db.session.get(AmazonAccount, account_id).refresh_token is None
    assert len(db.session.scalars(db.select(AmazonAccount)).all()) == 1
    assert AWS_SECRET not in caplog.text and AWS_KEY_ID not in caplog.text
    for entry in db.session.scalars(db.select(LogEntry)):
        assert AWS_SECRET not in entry.message and AWS_KEY_ID not in entry.message


def test_mws_token_gets_the_retirement_explanation(admin):
    account_id = add_account(admin)
    page = admin.get(f"/admin/accounts/{account_id}").get_data(as_text=True)
    response = admin.post(f"/admin/accounts/{account_id}/token", data={
        "csrf_token": csrf_from(page), "selling_partner_id": "A2DEMOSELLEREU",
        "refresh_token": "amzn.mws.4ea38b7b-f563-7709-4bae-87aeaEXAMPLE"})
    assert response.status_code == 422
    assert "Amazon retired MWS in 2024" in response.get_data(as_text=True)
    assert "Request / Renew Token" in response.get_data(as_text=True)


def test_a_real_refresh_token_is_not_mistaken_for_an_aws_key():
    from connector.security.credential_guard import forbidden_credential

    assert forbidden_credential("Atzr|IQEBLzAtAhRPZ9U8xmVSEXAMPLE0123456789abcdefghijklmnopqrstuvwxyz") is None
    assert forbidden_credential("EU main store") is None
    assert forbidden_credential(AWS_SECRET) and forbidden_credential(AWS_KEY_ID)
