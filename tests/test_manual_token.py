"""Manual entry for self-authorized apps: checked with Amazon before it is saved."""
from __future__ import annotations

from authflow import authorize
from helpers import add_account, csrf_from
from connector.accounts.models import AmazonAccount
from connector.extensions import db


def _post_token(admin, account_id, seller, token):
    page = admin.get(f"/admin/accounts/{account_id}").get_data(as_text=True)
    return admin.post(f"/admin/accounts/{account_id}/token",
                      data={"csrf_token": csrf_from(page), "selling_partner_id": seller, "refresh_token": token})


def test_valid_self_authorized_token_is_checked_and_saved(app, sandbox, admin):
    donor = add_account(admin, alias="donor")
    authorize(app, admin, donor, "A2DEMOSELLEREU")
    token = db.session.get(AmazonAccount, donor).refresh_token
    account_id = add_account(admin, alias="self-authorized")
    response = _post_token(admin, account_id, "A2DEMOSELLEREU", token)
    assert response.status_code == 302, response.get_data(as_text=True)
    account = db.session.get(AmazonAccount, account_id)
    assert account.refresh_token == token and account.authorization_method == "self" and account.last_check_ok


def test_invalid_token_is_refused_and_not_saved(app, sandbox, admin):
    account_id = add_account(admin)
    response = _post_token(admin, account_id, "A2DEMOSELLEREU", "Atzr|not-a-real-token")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Amazon refused this refresh token (invalid_grant)" in html
    assert "Atzr|not-a-real-token" not in html
    assert db.session.get(AmazonAccount, account_id).refresh_token is None


def test_something_that_is_not_a_refresh_token(app, sandbox, admin):
    account_id = add_account(admin)
    response = _post_token(admin, account_id, "A2DEMOSELLEREU", "hello")
    assert response.status_code == 400 and "starts with" in response.get_data(as_text=True)
