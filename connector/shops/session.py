"""The admin session: which shop, which role. Every admin view goes through shop_required."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, g, render_template, request, session
from flask_babel import lazy_gettext

from ..extensions import db
from .launch import Launch
from .models import Shop


def start_session(launch: Launch) -> None:
    session.clear()  # a new launch never inherits another shop's session
    session.permanent = True
    session["shop_id"] = launch.shop.id
    session["role"] = launch.role
    if launch.locale:
        session["locale"] = launch.locale
    if launch.user:
        session["user"] = launch.user


def shop_required(view: Callable[..., Any] | None = None, *, write: bool = False) -> Callable[..., Any]:
    """Load the session's shop into g.shop, or refuse; with write=True the support role is refused too."""

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            shop = db.session.get(Shop, session.get("shop_id") or 0)
            if shop is None:
                return render_template("errors/not_launched.html"), 401
            g.shop = shop
            g.role = session.get("role", "owner")
            g.frame_ancestors = shop.frame_ancestors
            if write:
                require_owner()
            return function(*args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


SUPPORT_READ_ONLY = lazy_gettext("The support role can read this shop's pages but cannot change anything.")


def require_owner() -> None:
    if g.role != "owner":
        abort(403, SUPPORT_READ_ONLY)


def actor_name() -> str:
    """Who is acting, for the log: the user the cart named at launch, and the role."""
    user = session.get("user")
    return f"{user} ({g.role})" if user else f"the shop {g.role}"


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.is_json
