"""Who the citizen on the portal is: kept in the signed session apart from Flask-Login's staff user.

A citizen session never makes ``current_user`` authenticated, so no staff page can be reached
with it, whatever that page forgets to check.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, g, redirect, request, session, url_for

from engine.models import CitizenAccount
from engine.services.citizens import account_for_claims, session_claims
from webapp.extensions import db

SESSION_KEY = "citizen"
LOGIN_ENDPOINT = "citizen_auth.login"


def login_citizen(account: CitizenAccount) -> None:
    session[SESSION_KEY] = session_claims(account)
    session.permanent = True
    g.pop("citizen", None)


def logout_citizen() -> None:
    session.pop(SESSION_KEY, None)
    g.pop("citizen", None)


def current_citizen() -> CitizenAccount | None:
    """The logged-in citizen, or None; read once per request."""
    if "citizen" not in g:
        claims = session.get(SESSION_KEY)
        g.citizen = account_for_claims(db.session, claims) if claims else None
        if claims and g.citizen is None:  # password changed or account closed: forget the session
            session.pop(SESSION_KEY, None)
    return g.citizen


def citizen_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send a visitor who is not logged in as a citizen to the portal's login, and back afterwards."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_citizen() is None:
            return redirect(url_for(LOGIN_ENDPOINT, next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"current_citizen": current_citizen()})
