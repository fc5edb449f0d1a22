"""Login with Amazon's token endpoint, POST /auth/o2/token, with Amazon's exact error bodies."""
from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, g, request

from .responses import amazon_json, injected_fault

bp = Blueprint("sandbox_lwa", __name__)

INVALID_CODE = "The request has an invalid grant parameter : code"
INVALID_REFRESH = "The request has an invalid grant parameter : refresh_token"
REVOKED_SUFFIX = " User may have revoked or didn't grant the permission."
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _error(status: int, error: str, description: str) -> Response:
    return amazon_json({"error_description": description, "error": error}, status, NO_STORE)


def _params() -> dict:
    # Amazon's own SDKs post JSON, the docs post a form: the real endpoint takes both.
    if request.is_json:
        body = request.get_json(silent=True)
        return body if isinstance(body, dict) else {}
    return request.form.to_dict()


@bp.post("/auth/o2/token")
def token() -> Response:
    world = current_app.extensions["sandbox_state"]
    fault = world.take_fault("token")
    if fault is not None and not fault.answers_late:
        response = injected_fault(fault.kind, fault.delay_seconds, lwa=True)
    else:
        response = _grant(world, _params())
    world.record_call("token", None, response.status_code, g.sim_generation)
    if fault is not None and fault.answers_late:
        time.sleep(fault.delay_seconds)
    return response


def _grant(world, params: dict) -> Response:
    grant_type = params.get("grant_type")
    if not grant_type:
        return _error(400, "invalid_request", "The request is missing a required parameter : grant_type")
    if params.get("client_id") != world.settings.client_id or params.get("client_secret") != world.settings.client_secret:
        return _error(401, "invalid_client", "Client authentication failed")
    if grant_type == "authorization_code":
        if not params.get("code"):
            return _error(400, "invalid_request", "The request is missing a required parameter : code")
        redirect_uri = params.get("redirect_uri")
        if redirect_uri is not None and redirect_uri not in world.settings.redirect_uris:
            return _error(400, "invalid_grant", INVALID_CODE)
        refresh_token = world.redeem_code(params["code"], redirect_uri)
        if refresh_token is None:
            return _error(400, "invalid_grant", INVALID_CODE)
        seller, _ = world.refresh_token_status(refresh_token)
        return _tokens(world.issue_access_token(seller), refresh_token)
    if grant_type == "refresh_token":
        if not params.get("refresh_token"):
            return _error(400, "invalid_request", "The request is missing a required parameter : refresh_token")
        seller, reason = world.refresh_token_status(params["refresh_token"])
        if seller is None:
            return _error(400, "invalid_grant", INVALID_REFRESH + (REVOKED_SUFFIX if reason != "unknown" else ""))
        return _tokens(world.issue_access_token(seller), params["refresh_token"])
    if grant_type == "client_credentials":
        if not params.get("scope"):
            return _error(400, "invalid_scope", "The request has an invalid parameter : scope")
        return _tokens(world.issue_access_token(None), None)
    return _error(400, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server")


def _tokens(access_token: str, refresh_token: str | None) -> Response:
    body = {"access_token": access_token, "token_type": "bearer", "expires_in": 3600}
    if refresh_token:
        body["refresh_token"] = refresh_token
    return amazon_json(body, 200, NO_STORE)
